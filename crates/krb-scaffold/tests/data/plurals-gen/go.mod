module krb.invalid/plurals-gen

go 1.23

require github.com/gobuffalo/flect v1.0.3
