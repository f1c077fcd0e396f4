//go:build wasip1

package evidentsource

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// marshal writes v as JSON, appended to dst. fastjson quotes a string that holds a quote, a
// backslash or a control character with strconv.AppendQuote, whose Go escapes \a, \v, \xHH and
// \UHHHHHHHH are not JSON (RFC 8259 §7); marshal rewrites them as \uXXXX (invalid UTF-8 bytes,
// which JSON cannot carry, become U+FFFD), so a rejection quoting user input stays valid JSON.
func marshal(dst []byte, v interface{ MarshalTo([]byte) []byte }) []byte {
	start := len(dst)
	dst = v.MarshalTo(dst)
	if bytes.IndexByte(dst[start:], '\\') < 0 {
		return dst // nothing was escaped: the common case costs one scan
	}
	return append(dst[:start], fixEscapes(dst[start:])...)
}

// fixEscapes turns the Go-only escapes inside the JSON strings of b into JSON ones.
func fixEscapes(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !inString {
			inString = c == '"'
			out = append(out, c)
			continue
		}
		if c == '"' {
			inString = false
			out = append(out, c)
			continue
		}
		if c != '\\' || i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch e := b[i]; e {
		case 'a':
			out = appendU(out, 0x07)
		case 'v':
			out = appendU(out, 0x0b)
		case 'x':
			if i+2 < len(b) {
				n, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8)
				i += 2
				if err == nil && n < 0x80 {
					out = appendU(out, rune(n))
				} else {
					out = appendU(out, utf8.RuneError)
				}
			}
		case 'U':
			if i+8 < len(b) {
				n, err := strconv.ParseUint(string(b[i+1:i+9]), 16, 32)
				i += 8
				r := rune(n)
				if err != nil || !utf8.ValidRune(r) {
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			}
		default: // \" \\ \/ \b \f \n \r \t \uXXXX are JSON already
			out = append(out, '\\', e)
		}
	}
	return out
}

// appendU appends \u00XX-style escapes for a rune below U+10000.
func appendU(out []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(out, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
