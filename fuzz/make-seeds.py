#!/usr/bin/env python3
"""Writes the committed seed corpora in fuzz/seeds/<target>/ (run from anywhere).

Sources: the official and vendor samples in $FERRY_SPEC_DIR (default <repo>/../shared/spec),
the repository's certs-test/ certificates, and hand-written documents, identifiers, CSV
lines and NAPTR records modelled on the crates' own tests. Re-running it rewrites the
generated seeds; seeds it does not write (crash reproducers, named crash-*) are kept.
"""

import base64
import os
import pathlib
import re
import struct

FUZZ = pathlib.Path(__file__).resolve().parent
REPO = FUZZ.parent
SPEC = pathlib.Path(os.environ.get("FERRY_SPEC_DIR", REPO.parent / "shared" / "spec"))
SEEDS = FUZZ / "seeds"
SAMPLES = SPEC / "smp" / "samples"

SMP_NS = "http://busdox.org/serviceMetadata/publishing/1.0/"
ID_NS = "http://busdox.org/transport/identifiers/1.0/"
WSA_NS = "http://www.w3.org/2005/08/addressing"
BC_NS = "http://www.peppol.eu/schema/pd/businesscard/20180621/"
AP_CERT_B64 = (REPO / "certs-test/ap/ap-valid.b64").read_text().strip()
PID = '<id:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</id:ParticipantIdentifier>'
EXT = '<smp:Extension><ext:Info xmlns:ext="urn:example:ext" xmlns:o="urn:example:other" o:kind="x">a &amp; b<ext:Sub/></ext:Info></smp:Extension>'


def reset(target):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    for f in d.iterdir():
        if not f.name.startswith("crash-"):
            f.unlink()
    return d


def write(d, name, data):
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


def sample(rel):
    return (SAMPLES / rel).read_bytes()


def unsigned(signed):
    """The ServiceMetadata inside a SignedServiceMetadata, with the root's declarations."""
    text = signed.decode()
    m = re.search(r"<(\w+:)?SignedServiceMetadata(\s[^>]*)?>", text)
    prefix, decls = m.group(1) or "", m.group(2) or ""
    inner = re.search(
        r"<%sServiceMetadata>.*?</%sServiceMetadata>" % (prefix, prefix), text, re.S
    ).group(0)
    return inner.replace("<%sServiceMetadata>" % prefix, "<%sServiceMetadata%s>" % (prefix, decls), 1)


def group(body):
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<smp:ServiceGroup xmlns:smp="{SMP_NS}" xmlns:id="{ID_NS}">{body}</smp:ServiceGroup>'


def endpoint(extra=""):
    return (
        '<smp:Endpoint transportProfile="peppol-transport-as4-v2_0"><wsa:EndpointReference>'
        "<wsa:Address>https://ap.example.org/as4?a=1&amp;b=&lt;2&gt;</wsa:Address></wsa:EndpointReference>"
        "<smp:RequireBusinessLevelSignature>true</smp:RequireBusinessLevelSignature>"
        "<smp:MinimumAuthenticationLevel>2</smp:MinimumAuthenticationLevel>"
        "<smp:ServiceActivationDate>2026-01-01T00:00:00Z</smp:ServiceActivationDate>"
        "<smp:ServiceExpirationDate>2030-12-31T23:59:59.5+01:00</smp:ServiceExpirationDate>"
        f"<smp:Certificate>{AP_CERT_B64}</smp:Certificate>"
        '<smp:ServiceDescription>Test "AP" &amp; co</smp:ServiceDescription>'
        "<smp:TechnicalContactUrl>mailto:ap@example.org</smp:TechnicalContactUrl>"
        f"<smp:TechnicalInformationUrl>https://example.org/info</smp:TechnicalInformationUrl>{extra}</smp:Endpoint>"
    )


def metadata(inner):
    return (
        f'<smp:ServiceMetadata xmlns:smp="{SMP_NS}" xmlns:id="{ID_NS}" xmlns:wsa="{WSA_NS}">{inner}</smp:ServiceMetadata>'
    )


FULL_INFORMATION = metadata(
    f"<smp:ServiceInformation>{PID}"
    '<id:DocumentIdentifier scheme="busdox-docid-qns">urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1</id:DocumentIdentifier>'
    '<smp:ProcessList><smp:Process><id:ProcessIdentifier scheme="cenbii-procid-ubl">urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</id:ProcessIdentifier>'
    f"<smp:ServiceEndpointList>{endpoint(EXT)}</smp:ServiceEndpointList>{EXT}</smp:Process>"
    '<smp:Process><id:ProcessIdentifier scheme="busdox-procid-ubl">busdox:noprocess</id:ProcessIdentifier>'
    f"<smp:ServiceEndpointList>{endpoint()}</smp:ServiceEndpointList></smp:Process></smp:ProcessList>{EXT}"
    "</smp:ServiceInformation>"
)
REDIRECT = metadata(
    '<smp:Redirect href="https://smp2.example.org/iso6523-actorid-upis%3A%3A0088%3A5798000000001/services/x">'
    f"<smp:CertificateUID>C=BE,O=Ferry Test,CN=SMP2</smp:CertificateUID>{EXT}</smp:Redirect>"
)
SIGNATURE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/>'
    "<ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>"
)


def signed(unsigned_metadata):
    body = unsigned_metadata.replace(
        f' xmlns:smp="{SMP_NS}" xmlns:id="{ID_NS}" xmlns:wsa="{WSA_NS}"', ""
    )
    return (
        f'<smp:SignedServiceMetadata xmlns:smp="{SMP_NS}" xmlns:id="{ID_NS}" xmlns:wsa="{WSA_NS}">'
        f"{body}{SIGNATURE}</smp:SignedServiceMetadata>"
    )


XXE = (
    '<?xml version="1.0"?><!DOCTYPE smp:ServiceGroup [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<smp:ServiceGroup xmlns:smp="{SMP_NS}" xmlns:id="{ID_NS}">{PID}<smp:ServiceMetadataReferenceCollection>'
    '<smp:ServiceMetadataReference href="&xxe;"/></smp:ServiceMetadataReferenceCollection></smp:ServiceGroup>'
)


def xml_seeds():
    d = reset("xml_service_group")
    write(d, "minimal.xml", group(f"{PID}<smp:ServiceMetadataReferenceCollection/>"))
    write(
        d,
        "references-extension.xml",
        group(
            f"{PID}<smp:ServiceMetadataReferenceCollection>"
            '<smp:ServiceMetadataReference href="https://smp.example.org/iso6523-actorid-upis%3A%3A0088%3A5798000000001/services/a%23b"/>'
            '<smp:ServiceMetadataReference href="https://smp.example.org/x?y=1&amp;z=&quot;2&quot;"/>'
            f"</smp:ServiceMetadataReferenceCollection>{EXT}"
        ),
    )
    write(d, "xxe.xml", XXE)
    write(d, "phoss-rest-put.xml", sample("peppol/phoss-rest-put/peppol-service-group.xml"))
    for name in [
        "busdox-servicegroup-0192-991825827.xml",
        "busdox-servicegroup-9915-setcce-test.xml",
        "busdox-servicegroup-docslogistics.xml",
    ]:
        write(d, "vefa-" + name, sample("peppol/signed-vefa/" + name))
    write(d, "bdxr-1.0.xml", sample("oasis-bdxr-smp-1.0/phoss-put-bdxr1-service-group.xml"))

    d = reset("xml_service_metadata")
    write(d, "full-information.xml", FULL_INFORMATION)
    write(d, "redirect.xml", REDIRECT)
    write(d, "phoss-rest-put.xml", sample("peppol/phoss-rest-put/peppol-service-metadata.xml"))
    for name in [
        "busdox-servicemetadata-0192-991825827.xml",
        "busdox-servicemetadata-redirect-0192-991825827.xml",
        "busdox-servicemetadata-9933-061828591.xml",
        "peppol-doctype-wildcard-servicemetadata-9901-pint_c4_jp_sb.xml",
    ]:
        write(d, "unsigned-vefa-" + name, unsigned(sample("peppol/signed-vefa/" + name)))
    write(
        d,
        "unsigned-commons-1.xml",
        unsigned(sample("peppol/signed-peppol-commons/signed-service-metadata1.xml")),
    )
    write(d, "bdxr-1.0.xml", sample("oasis-bdxr-smp-1.0/phoss-put-bdxr1-service-metadata.xml"))

    d = reset("xml_signed_service_metadata")
    write(d, "full-information.xml", signed(FULL_INFORMATION))
    write(d, "redirect.xml", signed(REDIRECT))
    for name in [
        "busdox-servicemetadata-0192-991825827.xml",
        "busdox-servicemetadata-redirect-0192-991825827.xml",
        "busdox-servicemetadata-9933-061828591.xml",
    ]:
        write(d, "vefa-" + name, sample("peppol/signed-vefa/" + name))
    for name in ["signed-service-metadata1.xml", "signed-service-metadata3-c14n-inclusive.xml"]:
        write(d, "commons-" + name, sample("peppol/signed-peppol-commons/" + name))

    d = reset("xml_business_card")
    write(d, "phoss-v3.xml", sample("business-card/phoss-peppol-business-card-v3.xml"))
    write(
        d,
        "full.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><BusinessCard xmlns="{BC_NS}">'
        '<ParticipantIdentifier scheme="iso6523-actorid-upis">0208:0123456749</ParticipantIdentifier>'
        '<BusinessEntity registrationDate="2026-01-31"><Name language="en">Test &amp; &lt;Co&gt;</Name>'
        '<Name language="nl">Test en Co</Name><CountryCode>BE</CountryCode>'
        "<GeographicalInformation>Street 1\n1000 Brussels</GeographicalInformation>"
        '<Identifier scheme="VAT">BE0123456749</Identifier><WebsiteURI>https://example.org</WebsiteURI>'
        '<Contact type="sales" name="A B" phonenumber="+32 2 000 00 00" email="a@example.org"/>'
        "<AdditionalInformation>more</AdditionalInformation></BusinessEntity>"
        "<BusinessEntity><Name>Second</Name><CountryCode>NL</CountryCode></BusinessEntity></BusinessCard>",
    )
    write(
        d,
        "doctype.xml",
        f'<!DOCTYPE x SYSTEM "http://example.org/x.dtd"><BusinessCard xmlns="{BC_NS}"/>',
    )


def identifier_seeds():
    d = reset("identifiers")
    values = {
        "participant-0208": "iso6523-actorid-upis::0208:0123456749",
        "participant-upper": "ISO6523-ACTORID-UPIS::0208:0123456749",
        "participant-gln": "iso6523-actorid-upis::0088:5798000000001",
        "participant-9925": "iso6523-actorid-upis::9925:BE0123456749",
        "participant-0192": "iso6523-actorid-upis::0192:991825827",
        "participant-removed-icd": "iso6523-actorid-upis::9956:0123456749",
        "participant-check-digit": "iso6523-actorid-upis::0208:0123456750",
        "participant-path": "iso6523-actorid-upis%3a%3a0208%3A0123456749",
        "participant-half-encoded": "iso6523-actorid-upis::0088%3A5798000000001",
        "document-type": "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
        "document-type-path": "urn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AInvoice-2%3A%3AInvoice%23%23urn%3Acen.eu%3Aen16931%3A2017%23compliant%23urn%3Afdc%3Apeppol.eu%3A2017%3Apoacc%3Abilling%3A3.0%3A%3A2.1",
        "document-type-wildcard": "peppol-doctype-wildcard::urn:peppol:pint:billing-1@jp-1*::2.1",
        "process": "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        "no-process": "busdox-procid-ubl::busdox:noprocess",
        "transport-profile": "peppol-transport-as4-v2_0",
        "percent-bad": "%zz%4",
        "percent-utf8": "caf%C3%A9%2F%E2%82%AC",
        "sml-dns": "iso6523-actorid-upis\n0088:123ABC\n.edelivery.tech.ec.europa.eu.",
    }
    for name, value in values.items():
        write(d, name + ".txt", value)


def soap_seeds():
    d = reset("soap_answers")
    statuses = {
        "bdmsl-exists-participant.response.xml": 200,
        "participant-list.response.xml": 200,
        "smp-read.response.xml": 200,
        "success-empty.response.xml": 200,
        "fault-badrequest-duplicate-participant.response.xml": 400,
        "fault-badrequest-migration-key.response.xml": 400,
        "fault-migration-planned.response.xml": 401,
        "fault-notfound-smp.response.xml": 404,
        "fault-unauthorized-certificate.response.xml": 401,
    }
    for name, status in statuses.items():
        write(d, name, struct.pack(">H", status) + (SPEC / "sml/samples" / name).read_bytes())
    write(d, "empty-200.txt", struct.pack(">H", 200))
    write(d, "html-502.html", struct.pack(">H", 502) + b"<html><body>Bad Gateway</body></html>")
    write(
        d,
        "fault-no-detail-200.xml",
        struct.pack(">H", 200)
        + b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        b"<faultcode>s:Server</faultcode><faultstring>[ERR-110] Participant not found</faultstring>"
        b"</s:Fault></s:Body></s:Envelope>",
    )


def naptr_seeds():
    d = reset("naptr")
    recs = {
        "peppol": ["100\t10\tU\tMeta:SMP\t!.*!https://smp.example.org/!\t."],
        "two-records": [
            "20\t10\tu\tmeta:smp\t!^.*$!http://smp1.example.org!\t.",
            "10\t10\tU\tMeta:SMP\t#(.*)#https://smp2.example.org/base\\#x#i\t.",
        ],
        "unsupported": [
            "10\t10\tU\tMeta:SMP\t!^(.*)$!https://\\1.example.org!\t.",
            "10\t20\tU\tMeta:SMP\t!abc!https://x!\t.",
            "10\t30\tU\tMeta:SMP\t\\.*\\https://x\\\t.",
            "10\t40\tS\tSIP+D2U\t\t_sip._udp.example.org",
        ],
        "none": ["10\t10\tU\tE2U+sip\t!.*!sip:info@example.org!\t."],
    }
    for name, lines in recs.items():
        write(d, name + ".txt", "\n".join(lines) + "\n")


def csv_seeds():
    p1 = "iso6523-actorid-upis::0208:0123456749"
    p2 = "iso6523-actorid-upis::0088:5798000000001"
    key = "Ab1$cd2%Ef3#"
    d = reset("csv_bulk")
    write(d, "keys.csv", f"participant,migration_key\r\n{p1},{key}\n\n{p2},\n")
    write(d, "bom-reordered.csv", f"\ufeffMigration_Key , participant\n{key},{p1}\n")
    write(
        d,
        "bad-rows.csv",
        f'participant,migration_key\nnot-an-id,\n{p1},short\n{p1},{key},extra\n"{p1}","{key}"\n{p1},\n"{p2}\n',
    )
    write(d, "bad-header.csv", f"participant,migrationkey\n{p1},{key}\n")
    d = reset("csv_parked")
    # Control bytes: BufReader capacity, batch size, limits (see csv_parked.rs).
    write(d, "quoting.csv", b"\x07\x01\x00" + f'{p1},"Acme, ""Inc""",BE\r\na,,b\n'.encode())
    write(
        d,
        "header-blank-short-long.csv",
        b"\x03\x63\x00" + "\ufeff\n Identifier ,name,country\n,, \nx,Name\ny,N,BE,extra\n\n".encode(),
    )
    write(
        d,
        "batches-bad-lines.csv",
        b"\x10\x01\x00" + b'identifier,name,country\na,1,BE\n"b,2,BE\nc,3,BE\n\nd,4,BE\n\n',
    )
    write(d, "small-limits.csv", b"\x02\x02\x13" + b'a,b,c,d,e\n"x" y\nline that is longer than nineteen bytes\nz\r')
    write(d, "not-utf8.csv", b"\x05\x00\x00a,b,BE\nc,\xe9,FR\nd,e,NL\n")


def der(rel):
    pem = (REPO / rel).read_text()
    body = "".join(l for l in pem.splitlines() if not l.startswith("-----"))
    return base64.b64decode(body)


def certificate_seeds():
    d = reset("parking_certificate")
    valid, ca = der("certs-test/ap/ap-valid.crt.pem"), der("certs-test/ap/ap-ca.crt.pem")

    def chain(control, *certs):
        out = bytes([control])
        for c in certs[:-1]:
            out += struct.pack(">H", len(c)) + c
        return out + certs[-1]

    write(d, "valid.der", chain(0, valid))
    write(d, "valid-production.der", chain(4, valid))
    write(d, "valid-with-ca.der", chain(1, valid, ca))
    write(d, "valid-2019.der", chain(8, valid))
    write(d, "expired.der", chain(0, der("certs-test/ap/ap-expired.crt.pem")))
    write(d, "not-yet-valid.der", chain(0, der("certs-test/ap/ap-not-yet-valid.crt.pem")))
    write(d, "untrusted.der", chain(0, der("certs-test/ap/ap-untrusted.crt.pem")))
    write(
        d,
        "not-ap-with-smp-ca.der",
        chain(1, der("certs-test/ap/ap-not-ap.crt.pem"), der("certs-test/smp/smp-ca.crt.pem")),
    )
    write(
        d,
        "three.der",
        chain(2, valid, der("certs-test/root/root-ca.crt.pem"), der("certs-test/sml/sml.crt.pem")),
    )
    write(d, "garbage.der", chain(0, b"not a certificate"))


if __name__ == "__main__":
    xml_seeds()
    identifier_seeds()
    soap_seeds()
    naptr_seeds()
    csv_seeds()
    certificate_seeds()
    total = sum(f.stat().st_size for f in SEEDS.rglob("*") if f.is_file())
    print(f"seeds in {SEEDS}: {total} bytes")
