"""Prints the Terraform files of a directory as one JSON object: {file name: parsed file}.

Parsed with python-hcl2 (PyPI `python-hcl2`); strings without their quotes, expressions as
"${...}", blocks as lists of objects. Usage: python3 hcl2json.py DIR
"""
import json
import pathlib
import sys

import hcl2
from hcl2.utils import SerializationOptions

OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


def main() -> None:
    directory = pathlib.Path(sys.argv[1])
    parsed = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open(encoding="utf-8") as f:
            parsed[path.name] = hcl2.load(f, serialization_options=OPTIONS)
    json.dump(parsed, sys.stdout)


if __name__ == "__main__":
    main()
