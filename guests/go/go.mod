module evidentsource.io/guests

go 1.24
