//! `ferry parked import` against a running `ferry serve` with the SML emulator: CreateList
//! registers every line, a rerun skips them all, a newer dump marks the missing ones
//! inactive.

use std::fmt::Write as _;

use ferry_e2e::{
    ADMIN_TOKEN, DOCTYPE, FerryProcess, PROCESS, ap_cert_b64, metadata_path, xmlsec_verify,
};
use serde_json::{Value, json};

use crate::scheme_migration::{cli, cli_json};

fn dump(path: &std::path::Path, n: u32) {
    let mut text = String::from("identifier,name,country\n");
    for i in 0..n {
        // 9915 has no check digits; quoting and a comma in the name on purpose.
        writeln!(
            text,
            "iso6523-actorid-upis::9915:dump{i:04},\"Company {i}, Ltd\",BE"
        )
        .expect("write to a String");
        // A participant listed twice, a few lines apart: with small batches on several
        // workers the two copies are written concurrently.
        if i == 15 {
            writeln!(text, "iso6523-actorid-upis::9915:dump0010,Again,BE")
                .expect("write to a String");
        }
    }
    std::fs::write(path, text).expect("write the dump");
}

#[test]
fn a_dump_is_imported_registered_resumed_and_retired() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (backend, url) in test_support::test_databases(tmp.path()) {
        eprintln!("--- database: {backend}");
        let env = ferry_e2e::cli_reachable_env(&url, tmp.path(), backend);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let ferry = FerryProcess::start(&url, &pairs[1..]);
        ferry
            .post_json(
                "/api/v1/endpoint-profiles",
                &json!({
                    "name": "parking",
                    "url": "https://parking.example.org/as4",
                    "transportProfile": "peppol-transport-as4-v2_0",
                    "certificate": ap_cert_b64(),
                    "serviceDescription": "parking AP",
                    "technicalContactUrl": "mailto:ops@example.org",
                }),
                Some(ADMIN_TOKEN),
            )
            .assert_status(201);
        let file = tmp.path().join(format!("dump-{backend}.csv"));
        dump(&file, 250);
        let file_arg = file.display().to_string();
        let import = |extra: &[&str]| -> Value {
            let mut args = vec![
                "--json",
                "parked",
                "import",
                &file_arg,
                "--endpoint-profile",
                "parking",
                "--document-type",
                DOCTYPE,
                "--process",
                PROCESS,
            ];
            args.extend_from_slice(extra);
            cli_json(&env, &args)
        };

        // Small batches on several workers: documents are signed on every core before each
        // batch's transaction.
        let first = import(&["--batch-size", "7", "--workers", "3"]);
        assert_eq!(first["created"], 250, "{first}");
        assert_eq!(first["existing"], 1, "the line listed twice: {first}");
        assert_eq!(first["smlRegistered"], 250, "{first}");
        assert_eq!(first["rejected"], json!([]), "{first}");
        for p in [
            "iso6523-actorid-upis::9915:dump0007",
            "iso6523-actorid-upis::9915:dump0010",
            "iso6523-actorid-upis::9915:dump0249",
        ] {
            let signed = ferry.get(&metadata_path(p, DOCTYPE));
            signed.assert_status(200).assert_xml_ok();
            assert!(signed.text().contains("https://parking.example.org/as4"));
            assert!(signed.text().contains(&p["iso6523-actorid-upis::".len()..]));
            xmlsec_verify(&signed.body);
        }
        let p = "iso6523-actorid-upis::9915:dump0007";
        let card = ferry.get(&format!("/businesscard/{}", ferry_e2e::encode_segment(p)));
        assert!(card.text().contains("Company 7, Ltd"), "{}", card.text());

        // The SML has exactly the 250 (CreateList went through the emulator).
        let out = cli(&env, &["--json", "sml", "reconcile"]);
        let report: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(report["smlCount"], 250, "{report}");
        assert_eq!(report["missingAtSml"], json!([]), "{report}");

        let rerun = import(&["--batch-size", "50"]);
        assert_eq!(
            (rerun["created"].clone(), rerun["existing"].clone()),
            (json!(0), json!(251)),
            "{rerun}"
        );

        dump(&file, 200);
        let newer = import(&[]);
        assert_eq!(newer["markedInactive"], 50, "{newer}");
    }
}
