#!/bin/bash
# TLS material for the secure compose stack, in one directory (the compose volume `tls`, mounted at
# /etc/tollgate/tls), all PEM:
#   ca.crt        the CA every client trusts (Kafka clients: ssl.truststore.type=PEM)
#   HOST.key      a host's private key (PKCS#8), HOST.crt its certificate (SAN: DNS:HOST; the proxy also gets
#                 TLS_PROXY_NAMES, localhost and 127.0.0.1)
#   HOST.pem      HOST.key + HOST.crt + ca.crt: a Kafka broker's keystore (ssl.keystore.type=PEM)
# Hosts: TLS_HOSTS (default "kafka-1 kafka-2 kafka-3 schema-registry proxy").
#
#   make-certs.sh dev DIR       a development CA and a certificate per host; keeps what exists (safe to re-run)
#   make-certs.sh csr DIR       real certificates, step 1: a key and a CSR (HOST.csr) per host, for your CA
#   make-certs.sh install DIR   step 2: after you put the signed HOST.crt files and your CA's ca.crt into DIR,
#                               checks each certificate against its key and the CA and writes HOST.pem
#
# In compose, the `certs` service runs `dev` and does nothing unless TOLLGATE_SECURE=true. Requires openssl.
set -euo pipefail

MODE="${1:?usage: make-certs.sh dev|csr|install DIR}"
DIR="${2:?usage: make-certs.sh dev|csr|install DIR}"
HOSTS="${TLS_HOSTS:-kafka-1 kafka-2 kafka-3 schema-registry proxy}"
PROXY_NAMES="${TLS_PROXY_NAMES:-localhost}"
DAYS="${TLS_DAYS:-825}"

if [ "${TOLLGATE_SECURE:-true}" != "true" ]; then
  echo "make-certs: TOLLGATE_SECURE is not true; no certificates needed"
  exit 0
fi
mkdir -p "$DIR"
chmod 755 "$DIR"   # the services (not root) read ca.crt; keys stay 600
umask 077

san() {
  local host="$1" names="DNS:$1"
  if [ "$host" = "proxy" ]; then
    for name in $PROXY_NAMES; do names="$names,DNS:$name"; done
    names="$names,DNS:localhost,IP:127.0.0.1"
  fi
  echo "$names"
}

key_and_csr() {
  local host="$1"
  [ -f "$DIR/$host.key" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/$host.key"
  openssl req -new -key "$DIR/$host.key" -subj "/CN=$host/O=Tollgate" -addext "subjectAltName=$(san "$host")" \
    -out "$DIR/$host.csr"
}

bundle() {
  local host="$1"
  openssl verify -CAfile "$DIR/ca.crt" "$DIR/$host.crt" >/dev/null
  if [ "$(openssl pkey -in "$DIR/$host.key" -pubout)" != "$(openssl x509 -in "$DIR/$host.crt" -noout -pubkey)" ]; then
    echo "make-certs: $host.crt does not belong to $host.key" >&2
    exit 1
  fi
  cat "$DIR/$host.key" "$DIR/$host.crt" "$DIR/ca.crt" > "$DIR/$host.pem"
  chmod 600 "$DIR/$host.key" "$DIR/$host.pem"
  chmod 644 "$DIR/$host.crt"
}

case "$MODE" in
  dev)
    if [ ! -f "$DIR/ca.crt" ]; then
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/ca.key"
      openssl req -x509 -new -key "$DIR/ca.key" -subj "/CN=Tollgate development CA" -days "$DAYS" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$DIR/ca.crt"
      chmod 644 "$DIR/ca.crt"
      echo "make-certs: made a development CA in $DIR/ca.crt (NOT for production)"
    fi
    [ -f "$DIR/ca.key" ] || { echo "make-certs: $DIR/ca.crt is not a development CA (no ca.key); use install" >&2; exit 1; }
    for host in $HOSTS; do
      [ -f "$DIR/$host.pem" ] && continue
      key_and_csr "$host"
      printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\n' \
        "$(san "$host")" > "$DIR/$host.ext"
      openssl x509 -req -in "$DIR/$host.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial \
        -days "$DAYS" -extfile "$DIR/$host.ext" -out "$DIR/$host.crt" 2>/dev/null
      rm -f "$DIR/$host.ext" "$DIR/$host.csr"
      bundle "$host"
      echo "make-certs: $host"
    done
    ;;
  csr)
    for host in $HOSTS; do
      key_and_csr "$host"
      echo "make-certs: $DIR/$host.csr (SAN $(san "$host")): have your CA sign it, save the result as $DIR/$host.crt"
    done
    echo "make-certs: then put your CA certificate (the chain) in $DIR/ca.crt and run: make-certs.sh install $DIR"
    ;;
  install)
    [ -f "$DIR/ca.crt" ] || { echo "make-certs: $DIR/ca.crt is missing" >&2; exit 1; }
    chmod 644 "$DIR/ca.crt"
    for host in $HOSTS; do
      bundle "$host"
      echo "make-certs: $host.pem"
    done
    ;;
  *)
    echo "usage: make-certs.sh dev|csr|install DIR" >&2
    exit 2
    ;;
esac
