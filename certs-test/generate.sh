#!/usr/bin/env bash
# Regenerates Ferry's throwaway test PKI. Idempotent: wipes every generated directory first.
# Usage: ./certs-test/generate.sh   (from anywhere; needs bash + OpenSSL 3)
#
# Why `openssl ca` everywhere: OpenSSL 3.0 has no -not_before/-not_after on `x509 -req`
# (they arrived in 3.4), and the expired / not-yet-valid certificates need explicit dates.
# A throwaway CA database in a temp dir gives us -startdate/-enddate for every certificate,
# so all dates below are fixed and visible in one place.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

# Dates (GeneralizedTime). Fixed rather than "now" so every regeneration looks the same.
START=20260101000000Z
ROOT_END=21260101000000Z # root: 100 years
# Intermediate CAs outlive ap-not-yet-valid (2090-2099): its only defect must be its notBefore.
CA_END=21000101000000Z
LEAF_END=20760101000000Z # end entities: 50 years
EXPIRED_START=20200101000000Z
EXPIRED_END=20210101000000Z
FUTURE_START=20900101000000Z
FUTURE_END=20990101000000Z

P12_PASSWORD=changeit

rm -rf root smp ap tls sml truststore untrusted
mkdir -p root smp ap tls sml truststore untrusted

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One openssl.cnf for all signing operations; the issuing CA is picked per call with
# -cert/-keyfile and the extensions with -extensions.
cat >"$WORK/openssl.cnf" <<'EOF'
[ ca ]
default_ca = ferry_test

[ ferry_test ]
dir              = WORKDIR
database         = $dir/index.txt
new_certs_dir    = $dir/newcerts
serial           = $dir/serial
default_md       = sha256
policy           = policy_any
unique_subject   = no
copy_extensions  = none
email_in_dn      = no

[ policy_any ]
commonName             = supplied
organizationalUnitName = optional
organizationName       = optional
countryName            = optional

[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = placeholder

[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# SMP signing certificate: signs SignedServiceMetadata, nothing else.
[ v3_smp ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# Access point certificates, shaped like Peppol AP certificates (sign, encrypt, TLS client).
[ v3_ap ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment, dataEncipherment
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_tls_localhost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth, clientAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ v3_tls_sml ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth, clientAuth
subjectAltName         = DNS:localhost, DNS:sml.localhost, IP:127.0.0.1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
sed -i "s|WORKDIR|$WORK|" "$WORK/openssl.cnf"
: >"$WORK/index.txt"
mkdir -p "$WORK/newcerts"
# Random serials: certificates from two regenerations must never share issuer+serial.
openssl rand -hex 16 >"$WORK/serial"

# -preserveDN keeps the subject in the order given (C, O, OU, CN) like real Peppol certificates;
# without it `openssl ca` reorders it to follow the policy section.
ossl_ca() {
    openssl ca -batch -notext -preserveDN -config "$WORK/openssl.cnf" "$@" 2>"$WORK/ca.log" ||
        {
            cat "$WORK/ca.log" >&2
            return 1
        }
}

# new_key OUT_KEY
new_key() {
    # World-readable on purpose: these keys are public test fixtures, and containers / CI run
    # the tests as users other than the one who checked them out.
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
    chmod 644 "$1"
}

# new_csr KEY SUBJECT OUT_CSR
new_csr() {
    openssl req -new -config "$WORK/openssl.cnf" -key "$1" -subj "$2" -out "$3"
}

# self_signed OUT_PREFIX SUBJECT START END
self_signed() {
    local out="$1" subj="$2" start="$3" end="$4"
    new_key "$out.key.pem"
    new_csr "$out.key.pem" "$subj" "$WORK/csr.pem"
    ossl_ca -selfsign -keyfile "$out.key.pem" -in "$WORK/csr.pem" -out "$out.crt.pem" \
        -extensions v3_root -startdate "$start" -enddate "$end"
}

# issue OUT_PREFIX SUBJECT ISSUER_PREFIX EXTENSIONS START END
issue() {
    local out="$1" subj="$2" issuer="$3" ext="$4" start="$5" end="$6"
    new_key "$out.key.pem"
    new_csr "$out.key.pem" "$subj" "$WORK/csr.pem"
    ossl_ca -cert "$issuer.crt.pem" -keyfile "$issuer.key.pem" -in "$WORK/csr.pem" \
        -out "$out.crt.pem" -extensions "$ext" -startdate "$start" -enddate "$end"
}

# b64 PREFIX: one-line base64 DER, the form that goes into an SMP <Certificate> element.
b64() {
    openssl x509 -in "$1.crt.pem" -outform DER | openssl base64 -A >"$1.b64"
    echo >>"$1.b64"
}

echo "root CA"
self_signed root/root-ca "/C=BE/O=Ferry Test/CN=Ferry Test Root CA" "$START" "$ROOT_END"
echo "untrusted root CA"
self_signed untrusted/untrusted-root "/C=BE/O=Ferry Test Untrusted/CN=Ferry Test Untrusted Root CA" \
    "$START" "$ROOT_END"

echo "intermediate CAs"
issue smp/smp-ca "/C=BE/O=Ferry Test/CN=Ferry Test SMP CA" root/root-ca v3_intermediate "$START" "$CA_END"
issue ap/ap-ca "/C=BE/O=Ferry Test/CN=Ferry Test AP CA" root/root-ca v3_intermediate "$START" "$CA_END"

echo "SMP signing certificates"
issue smp/smp "/C=BE/O=Ferry Test/CN=FERRY-TEST-SMP" smp/smp-ca v3_smp "$START" "$LEAF_END"
issue smp/smp2 "/C=BE/O=Ferry Test/CN=FERRY-TEST-SMP-2" smp/smp-ca v3_smp "$START" "$LEAF_END"
cat smp/smp.crt.pem smp/smp-ca.crt.pem >smp/smp-chain.pem
# -certpbe/-keypbe defaults of OpenSSL 3 (AES-256-CBC, PBKDF2) are read by Java 8u301+ and openssl.
openssl pkcs12 -export -name ferry-test-smp -inkey smp/smp.key.pem -in smp/smp.crt.pem \
    -certfile smp/smp-ca.crt.pem -passout "pass:$P12_PASSWORD" -out smp/smp.p12
chmod 644 smp/smp.p12

echo "access point certificates"
AP_OU="OU=PEPPOL TEST AP"
issue ap/ap-valid "/C=BE/O=Ferry Test AP Valid/$AP_OU/CN=PBE000001" ap/ap-ca v3_ap "$START" "$LEAF_END"
issue ap/ap-expired "/C=BE/O=Ferry Test AP Expired/$AP_OU/CN=PBE000002" ap/ap-ca v3_ap \
    "$EXPIRED_START" "$EXPIRED_END"
issue ap/ap-not-yet-valid "/C=BE/O=Ferry Test AP Future/$AP_OU/CN=PBE000003" ap/ap-ca v3_ap \
    "$FUTURE_START" "$FUTURE_END"
issue ap/ap-untrusted "/C=BE/O=Ferry Test AP Untrusted/$AP_OU/CN=PBE000004" untrusted/untrusted-root v3_ap \
    "$START" "$LEAF_END"
# Chains to the trusted root, but through the SMP CA: a valid certificate that is not an AP's.
issue ap/ap-not-ap "/C=BE/O=Ferry Test AP Wrong CA/$AP_OU/CN=PBE000005" smp/smp-ca v3_ap "$START" "$LEAF_END"
for name in ap-valid ap-expired ap-not-yet-valid ap-untrusted ap-not-ap; do
    b64 "ap/$name"
done

echo "TLS server certificates"
issue tls/localhost "/C=BE/O=Ferry Test/CN=localhost" root/root-ca v3_tls_localhost "$START" "$LEAF_END"
issue sml/sml "/C=BE/O=Ferry Test/CN=Ferry Test SML" root/root-ca v3_tls_sml "$START" "$LEAF_END"

echo "trust stores"
cat root/root-ca.crt.pem ap/ap-ca.crt.pem >truststore/peppol-test-ap-roots.pem
cat root/root-ca.crt.pem smp/smp-ca.crt.pem >truststore/smp-roots.pem

echo "self-check"
check() { # check EXPECTED_RESULT DESCRIPTION openssl-verify-args...
    local expect="$1" what="$2"
    shift 2
    if openssl verify "$@" >/dev/null 2>&1; then got=ok; else got=fail; fi
    if [ "$got" != "$expect" ]; then
        echo "self-check failed: $what (expected $expect, got $got)" >&2
        exit 1
    fi
}
check ok "smp chain" -CAfile root/root-ca.crt.pem -untrusted smp/smp-ca.crt.pem smp/smp.crt.pem
check ok "smp2 chain" -CAfile root/root-ca.crt.pem -untrusted smp/smp-ca.crt.pem smp/smp2.crt.pem
check ok "ap-valid" -CAfile truststore/peppol-test-ap-roots.pem ap/ap-valid.crt.pem
check fail "ap-expired" -CAfile truststore/peppol-test-ap-roots.pem ap/ap-expired.crt.pem
check fail "ap-not-yet-valid" -CAfile truststore/peppol-test-ap-roots.pem ap/ap-not-yet-valid.crt.pem
check fail "ap-untrusted" -CAfile truststore/peppol-test-ap-roots.pem ap/ap-untrusted.crt.pem
check fail "ap-not-ap vs AP trust store" -CAfile truststore/peppol-test-ap-roots.pem ap/ap-not-ap.crt.pem
check ok "ap-not-ap vs test root" -CAfile root/root-ca.crt.pem -untrusted smp/smp-ca.crt.pem ap/ap-not-ap.crt.pem
check ok "tls localhost" -CAfile root/root-ca.crt.pem -purpose sslserver tls/localhost.crt.pem
check ok "sml" -CAfile root/root-ca.crt.pem -purpose sslserver sml/sml.crt.pem
openssl pkcs12 -in smp/smp.p12 -passin "pass:$P12_PASSWORD" -noout
echo "done: test PKI written to $HERE"
