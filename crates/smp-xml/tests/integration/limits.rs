//! Resource limits: documents built to make the parser or the writer use far more memory,
//! time or output than their size are refused or stay bounded.

use smp_xml::{
    Limit, ParseOptions, XmlError, parse_business_card, parse_service_group,
    parse_service_metadata, write_service_group, write_service_metadata,
};

use crate::common::ap_certificate_b64;

const SMP: &str = "http://busdox.org/serviceMetadata/publishing/1.0/";
const PID: &str = r#"<id:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</id:ParticipantIdentifier>"#;

/// Codes a resource-limit refusal may carry.
const LIMIT_CODES: [&str; 8] = [
    "xml.limit.depth",
    "xml.limit.elements",
    "xml.limit.element_attributes",
    "xml.limit.attributes",
    "xml.limit.namespace_uri",
    "xml.limit.namespace_declarations",
    "xml.limit.namespace_scope",
    "xml.limit.output",
];

fn group_with_extension(extension: &str) -> String {
    format!(
        r#"<smp:ServiceGroup xmlns:smp="{SMP}" xmlns:id="http://busdox.org/transport/identifiers/1.0/">{PID}<smp:ServiceMetadataReferenceCollection/><smp:Extension>{extension}</smp:Extension></smp:ServiceGroup>"#
    )
}

/// An Extension of `levels` nested elements. Each level declares `prefixes` namespaces with
/// URIs of `uri_len` bytes (new URIs per level) and holds `siblings` empty children that
/// use all of them (element name and attributes), then the next level.
fn amplifier(levels: usize, prefixes: usize, uri_len: usize, siblings: usize) -> String {
    let mut out = String::new();
    for level in 0..levels {
        out.push_str("<p0:n");
        for p in 0..prefixes {
            let head = format!("urn:l{level}:p{p}:");
            let uri = format!("{head}{}", "x".repeat(uri_len.saturating_sub(head.len())));
            out.push_str(&format!(" xmlns:p{p}=\"{uri}\""));
        }
        out.push('>');
        for _ in 0..siblings {
            out.push_str("<p0:c");
            for p in 1..prefixes {
                out.push_str(&format!(" p{p}:a=\"\""));
            }
            out.push_str("/>");
        }
    }
    for _ in 0..levels {
        out.push_str("</p0:n>");
    }
    out
}

/// Parses `xml` with the defaults: refused with a limit code, or rendered to at most three
/// times the input. Then again with every count and output limit lifted: the writer alone
/// must keep the rendering that small.
fn refused_or_bounded(xml: &str) {
    let lifted = ParseOptions {
        max_elements: usize::MAX,
        max_element_attributes: usize::MAX,
        max_attributes: usize::MAX,
        max_namespace_declarations: usize::MAX,
        max_namespace_scope: usize::MAX,
        max_output_bytes: usize::MAX,
        max_output_ratio: usize::MAX,
        ..ParseOptions::default()
    };
    match parse_service_group(xml.as_bytes(), &ParseOptions::default()) {
        Err(e) => assert!(LIMIT_CODES.contains(&e.code()), "unexpected refusal: {e}"),
        Ok(sg) => assert_bounded(xml, &sg, &ParseOptions::default()),
    }
    let sg = parse_service_group(xml.as_bytes(), &lifted).unwrap();
    assert_bounded(xml, &sg, &lifted);
}

fn assert_bounded(xml: &str, sg: &smp_xml::ServiceGroup, opts: &ParseOptions) {
    let out = write_service_group(sg);
    assert!(
        out.len() <= 3 * xml.len(),
        "{} input bytes rendered as {} bytes",
        xml.len(),
        out.len()
    );
    let again = parse_service_group(&out, opts).unwrap();
    assert_eq!(&again, sg);
    assert_eq!(write_service_group(&again), out);
}

/// Many siblings under one element that declares 16 URIs of 1000 bytes: ~1 MiB of input.
/// Rendering each child with its own declarations made this about 130 MiB.
#[test]
fn sibling_namespace_amplification_is_bounded() {
    let xml = group_with_extension(&amplifier(1, 16, 1000, 8_000));
    assert!(xml.len() > 900_000, "{}", xml.len());
    refused_or_bounded(&xml);
}

/// Nested Extension children, each level declaring several long namespaces again.
#[test]
fn nested_namespace_amplification_is_bounded() {
    let xml = group_with_extension(&amplifier(100, 8, 1000, 60));
    assert!(xml.len() > 900_000, "{}", xml.len());
    refused_or_bounded(&xml);
}

/// 50,000 attributes on one element: refused by the per-element attribute limit, quickly
/// (the old duplicate check compared every pair).
#[test]
fn fifty_thousand_attributes_on_one_element_are_refused() {
    let attrs: String = (0..50_000).map(|i| format!(" a{i}=\"\"")).collect();
    let xml = group_with_extension(&format!("<e{attrs}/>"));
    let err = parse_service_group(xml.as_bytes(), &ParseOptions::default()).unwrap_err();
    assert_eq!(err.code(), "xml.limit.element_attributes", "{err}");
}

/// Declarations on the document root that every endpoint's extension uses: each extension
/// must declare them for itself, so the rendered document grows with the number of
/// extensions. The output ratio refuses it.
#[test]
fn inherited_namespaces_repeated_per_extension_are_refused() {
    let decls: String = (0..16)
        .map(|p| format!(r#" xmlns:p{p}="urn:p{p}:{}""#, "x".repeat(1000)))
        .collect();
    let uses: String = (1..16).map(|p| format!(r#" p{p}:a="""#)).collect();
    let cert = ap_certificate_b64();
    let endpoint = format!(
        r#"<smp:Endpoint transportProfile="peppol-transport-as4-v2_0"><wsa:EndpointReference><wsa:Address>https://ap.example.org/as4</wsa:Address></wsa:EndpointReference><smp:RequireBusinessLevelSignature>false</smp:RequireBusinessLevelSignature><smp:Certificate>{cert}</smp:Certificate><smp:ServiceDescription>d</smp:ServiceDescription><smp:TechnicalContactUrl>https://example.org</smp:TechnicalContactUrl><smp:Extension><p0:x{uses}/></smp:Extension></smp:Endpoint>"#
    );
    let xml = format!(
        r#"<smp:ServiceMetadata xmlns:smp="{SMP}" xmlns:id="http://busdox.org/transport/identifiers/1.0/" xmlns:wsa="http://www.w3.org/2005/08/addressing"{decls}><smp:ServiceInformation>{PID}<id:DocumentIdentifier scheme="busdox-docid-qns">urn:x::y##z::2.1</id:DocumentIdentifier><smp:ProcessList><smp:Process><id:ProcessIdentifier scheme="cenbii-procid-ubl">urn:p</id:ProcessIdentifier><smp:ServiceEndpointList>{}</smp:ServiceEndpointList></smp:Process></smp:ProcessList></smp:ServiceInformation></smp:ServiceMetadata>"#,
        endpoint.repeat(200)
    );
    match parse_service_metadata(xml.as_bytes(), &ParseOptions::default()) {
        Err(e) => assert_eq!(e.code(), "xml.limit.output", "{e}"),
        Ok(sm) => {
            let out = write_service_metadata(&sm);
            panic!("{} input bytes rendered as {} bytes", xml.len(), out.len());
        }
    }
    // With a few extensions the same declarations are fine.
    let few = xml.replacen(&endpoint.repeat(200), &endpoint.repeat(2), 1);
    let sm = parse_service_metadata(few.as_bytes(), &ParseOptions::default()).unwrap();
    assert!(write_service_metadata(&sm).len() <= 4 * few.len());
}

/// Each limit is reachable through the document parsers with its own code.
#[test]
fn document_parsers_report_each_limit() {
    // 6 elements, 4 deep, 5 attributes (2 on the root, 2 on e), 3 namespace declarations,
    // 14 bindings in scope over the elements (2 on each, 3 on e and f), the longest URI 49
    // bytes, about 330 bytes rendered.
    let ok = group_with_extension(r#"<e xmlns="urn:e" a="1"><f/></e>"#);
    parse_service_group(ok.as_bytes(), &ParseOptions::default()).unwrap();
    let cases: [(ParseOptions, Limit); 8] = [
        (
            ParseOptions {
                max_depth: 3,
                ..ParseOptions::default()
            },
            Limit::Depth,
        ),
        (
            ParseOptions {
                max_elements: 5,
                ..ParseOptions::default()
            },
            Limit::Elements,
        ),
        (
            ParseOptions {
                max_element_attributes: 1,
                ..ParseOptions::default()
            },
            Limit::ElementAttributes,
        ),
        (
            ParseOptions {
                max_attributes: 4,
                ..ParseOptions::default()
            },
            Limit::Attributes,
        ),
        (
            ParseOptions {
                max_namespace_uri_bytes: 40,
                ..ParseOptions::default()
            },
            Limit::NamespaceUri,
        ),
        (
            ParseOptions {
                max_namespace_declarations: 2,
                ..ParseOptions::default()
            },
            Limit::NamespaceDeclarations,
        ),
        (
            ParseOptions {
                max_namespace_scope: 13,
                ..ParseOptions::default()
            },
            Limit::NamespaceScope,
        ),
        (
            ParseOptions {
                max_output_bytes: 300,
                ..ParseOptions::default()
            },
            Limit::Output,
        ),
    ];
    for (opts, limit) in cases {
        let err = parse_service_group(ok.as_bytes(), &opts).unwrap_err();
        assert!(
            matches!(err, XmlError::LimitExceeded { limit: l, .. } if l == limit),
            "{limit:?}: {err}"
        );
        assert_eq!(err.code(), limit.code());
        assert!(err.is_input_error());
    }
    // The ratio also applies to documents without extensions: text made of '>' grows
    // fourfold when escaped.
    let card = format!(
        r#"<BusinessCard xmlns="http://www.peppol.eu/schema/pd/businesscard/20180621/"><ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</ParticipantIdentifier><BusinessEntity><Name>{}</Name><CountryCode>BE</CountryCode></BusinessEntity></BusinessCard>"#,
        ">".repeat(2000)
    );
    let opts = ParseOptions {
        max_output_ratio: 2,
        ..ParseOptions::default()
    };
    let err = parse_business_card(card.as_bytes(), &opts).unwrap_err();
    assert_eq!(err.code(), "xml.limit.output");
    parse_business_card(card.as_bytes(), &ParseOptions::default()).unwrap();
}
