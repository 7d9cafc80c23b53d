#!/bin/sh
# Regenerates the test PKI of the TLS tests (see README.md). Run from this folder.
set -e
days=36500

ca() { # name subject
  openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days $days -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}

leaf() { # name subject extensions
  openssl ecparam -name prime256v1 -genkey -noout -out "$1.key.sec1"
  openssl pkcs8 -topk8 -nocrypt -in "$1.key.sec1" -out "$1.key"
  rm "$1.key.sec1"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 \
    -days $days -extfile "$1.ext" -out "$1.pem"
  rm "$1.csr" "$1.ext"
}

ca ca "/CN=diameter-rs test CA"
ca other-ca "/CN=diameter-rs other test CA"
leaf server "/CN=localhost" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
leaf client "/CN=client.test" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:client.test"
rm -f ca.srl other-ca.key
