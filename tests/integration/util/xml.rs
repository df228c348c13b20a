//! Well-formedness of the SVGs basinmap draws, by a real XML parser.

/// `Ok` if `text` is one well-formed XML document.
pub fn check_xml(text: &str) -> Result<(), String> {
    roxmltree::Document::parse(text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn the_xml_check_catches_mistakes() {
    assert!(check_xml("<svg a=\"1\"><g><text>x &amp; y</text></g><rect/></svg>").is_ok());
    assert!(check_xml("<svg><g></svg>").is_err());
    assert!(check_xml("<svg a=1></svg>").is_err());
    assert!(check_xml("<svg>a & b</svg>").is_err());
    assert!(check_xml("<svg></svg><svg></svg>").is_err());
}
