use super::*;

#[test]
fn resolves_namespaces_and_references() {
    let root = parse_str(
        r#"<a:r xmlns:a="urn:a" xmlns="urn:d" x="1&#10;&amp;"><c a:y="z">t&lt;&#x41;<![CDATA[<]]></c></a:r>"#,
    )
    .unwrap();
    assert_eq!(root.ns(), "urn:a");
    assert_eq!(root.attr("x"), Some("1\n&"));
    let c = root.child_elements().next().unwrap();
    assert_eq!(c.ns(), "urn:d");
    assert_eq!(&*c.attrs[0].ns, "urn:a");
    // One allocation per distinct URI.
    assert!(Arc::ptr_eq(&root.ns, &c.attrs[0].ns));
    assert_eq!(c.text(), "t<A<");
}

#[test]
fn attribute_whitespace_is_normalised() {
    let root = parse_str("<r x=\"a\r\nb\tc\"/>").unwrap();
    assert_eq!(root.attr("x"), Some("a b c"));
}

#[test]
fn refuses_bad_documents() {
    for (doc, code) in [
        ("<r>&foo;</r>", "xml.dtd_forbidden"),
        ("<r x='&foo;'/>", "xml.dtd_forbidden"),
        ("<!DOCTYPE r><r/>", "xml.dtd_forbidden"),
        ("<p:r/>", "xml.malformed"),
        ("<r></s>", "xml.malformed"),
        ("<r/><r/>", "xml.malformed"),
        ("<r/>x", "xml.malformed"),
        ("", "xml.malformed"),
        ("<r a='1' a='2'/>", "xml.malformed"),
        ("<r>&#0;</r>", "xml.malformed"),
    ] {
        let err = parse_str(doc).unwrap_err();
        assert_eq!(err.code(), code, "{doc}");
    }
}

#[test]
fn refuses_bad_namespace_use() {
    for doc in [
        // The same expanded attribute name through two prefixes.
        "<r xmlns:a='urn:u' xmlns:b='urn:u' a:x='1' b:x='2'/>",
        "<r xmlns:p='urn:u' xmlns:p='urn:v'/>",
        "<r xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
        "<r xmlns='http://www.w3.org/2000/xmlns/'/>",
        "<r xmlns:xml='urn:x'/>",
        "<r xmlns:p=''/>",
        "<r><p:c xmlns:p='urn:p'/><p:c/></r>",
    ] {
        assert_eq!(parse_str(doc).unwrap_err().code(), "xml.malformed", "{doc}");
    }
    // Declaring xml to its own URI is allowed, and a prefix may be rebound below.
    let root =
        parse_str("<p:r xmlns:xml='http://www.w3.org/XML/1998/namespace' xmlns:p='urn:1'><p:c xmlns:p='urn:2'/><p:c/></p:r>")
            .unwrap();
    let uris: Vec<&str> = root.child_elements().map(Element::ns).collect();
    assert_eq!(uris, ["urn:2", "urn:1"]);
}

fn code_with(doc: &str, opts: &ParseOptions) -> &'static str {
    parse_text(doc, opts).unwrap_err().code()
}

#[test]
fn limits_refuse_with_their_code_and_allow_the_maximum() {
    let opts = ParseOptions {
        max_depth: 3,
        max_elements: 4,
        max_element_attributes: 3,
        max_attributes: 5,
        max_namespace_uri_bytes: 5,
        max_namespace_declarations: 2,
        max_namespace_scope: 6,
        ..ParseOptions::default()
    };
    // 6 bindings in scope summed over a (1), b (2), c (2) and d (1).
    let ok = "<a xmlns:p='urn:1' x='1'><b xmlns='urn:2'><c/></b><d p:y='1' z='2'/></a>";
    parse_text(ok, &opts).unwrap();
    for (doc, code) in [
        ("<a><b><c><d/></c></b></a>", "xml.limit.depth"),
        ("<a><b/><b/><b/><b/></a>", "xml.limit.elements"),
        (
            "<a w='1' x='1' y='1' z='1'/>",
            "xml.limit.element_attributes",
        ),
        (
            "<a xmlns:p='u' x='1' y='1' z='1'/>",
            "xml.limit.element_attributes",
        ),
        (
            "<a x='1' y='1'><b x='1' y='1'/><b x='1' y='1'/></a>",
            "xml.limit.attributes",
        ),
        ("<a xmlns='urn:12'/>", "xml.limit.namespace_uri"),
        (
            "<a xmlns:p='u'><b xmlns:q='u'/><c xmlns='u'/></a>",
            "xml.limit.namespace_declarations",
        ),
    ] {
        assert_eq!(code_with(doc, &opts), code, "{doc}");
    }
}

/// With the attribute limits lifted, 50,000 attributes on one element are checked for
/// duplicates by sorting, not by comparing every pair.
#[test]
fn duplicate_attribute_check_is_not_quadratic() {
    let opts = ParseOptions {
        max_element_attributes: usize::MAX,
        max_attributes: usize::MAX,
        ..ParseOptions::default()
    };
    let attrs: String = (0..50_000).map(|i| format!(" a{i}='1'")).collect();
    let root = parse_text(
        &format!("<r xmlns:p='urn:p' xmlns:q='urn:p'{attrs}/>"),
        &opts,
    )
    .unwrap();
    assert_eq!(root.attrs.len(), 50_000);
    let doc = format!("<r xmlns:p='urn:p' xmlns:q='urn:p'{attrs} p:z='1' q:z='2'/>");
    assert_eq!(code_with(&doc, &opts), "xml.malformed");
}

/// 20,000 prefixes declared on the root and used by 20,000 children: one hash probe per
/// name, not a walk over every declaration in scope.
#[test]
fn namespace_lookup_is_not_quadratic() {
    let opts = ParseOptions {
        max_namespace_declarations: usize::MAX,
        max_namespace_scope: usize::MAX,
        max_attributes: usize::MAX,
        max_element_attributes: usize::MAX,
        ..ParseOptions::default()
    };
    let decls: String = (0..20_000)
        .map(|i| format!(" xmlns:p{i}='urn:{i}'"))
        .collect();
    let children = "<p0:c p1:a=''/>".repeat(20_000);
    let root = parse_text(&format!("<r{decls}>{children}</r>"), &opts).unwrap();
    assert_eq!(root.child_elements().count(), 20_000);
    assert!(root.child_elements().all(|c| c.ns() == "urn:0"));
}

#[test]
fn refuses_deep_nesting() {
    let max = ParseOptions::default().max_depth;
    let ok = "<a>".repeat(max) + &"</a>".repeat(max);
    parse_str(&ok).unwrap();
    let doc = "<a>".repeat(max + 1) + &"</a>".repeat(max + 1);
    assert_eq!(parse_str(&doc).unwrap_err().code(), "xml.limit.depth");
}

/// Found by the xml_* fuzz targets: quick-xml takes a name to be whatever runs up to
/// whitespace, `=`, `/>` or `>`, so `<ext:Sub//>` gave an element named `ext:Sub/`, and the
/// canonical writer wrote it back as `<ext:Sub/></ext:Sub/>`, which does not parse.
#[test]
fn names_must_be_xml_names() {
    for doc in [
        "<r><c//></r>",
        "<r><c</></r>",
        "<r><p:c/// xmlns:p='urn:p'/></r>",
        "<1r/>",
        "<-r/>",
        "<r:/>",
        "<:r/>",
        "<p:r:s xmlns:p='urn:p'/>",
        "<r 1a='x'/>",
        "<r a/b='x'/>",
        "<r xmlns:p/q='urn:p'/>",
        "<r xmlns:='urn:p'/>",
        "<r xmlns:1p='urn:p'/>",
    ] {
        assert_eq!(
            parse_str(doc)
                .map(|e| e.local_name().to_owned())
                .unwrap_err()
                .code(),
            "xml.malformed",
            "{doc}"
        );
    }
    // Names beyond ASCII, and with `-`, `.`, `·` and digits after the first character.
    let root = parse_str("<é:ü xmlns:é='urn:e' é:a·b='1' x-1.2='2'><_x-y.z9/></é:ü>").unwrap();
    assert_eq!(root.local_name(), "ü");
    assert_eq!(
        root.child_elements().next().unwrap().local_name(),
        "_x-y.z9"
    );
}
