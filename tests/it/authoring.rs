//! `vcd new` and `vcd query`: a new project builds at once, and queries print
//! readable tables with their row count.

use std::process::Command;

fn vcd(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vcd")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vcd-authoring-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_new_project_builds_at_once_with_a_chart_and_an_input() {
    let dir = temp("new");
    let (code, _, err) = vcd(&["new", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vcd(&["-C", dir.to_str().unwrap(), "build"]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(dir.join("site/index.html")).unwrap();
    assert!(html.contains("data-input=\"region\""), "an input");
    assert!(html.contains("class=\"vcd-chart\""), "a chart");
    assert!(html.contains("class=\"kpi\""), "KPI cards");
    // Five regions' worth of variants: the base run and one per region.
    let data: Vec<String> = std::fs::read_dir(dir.join("site/data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(data.iter().filter(|f| f.starts_with("totals.")).count(), 5, "{data:?}");

    let (code, _, err) = vcd(&["new", dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists and is not empty"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn query_prints_a_table_with_its_row_count() {
    let dir = temp("query");
    assert_eq!(vcd(&["new", dir.to_str().unwrap()]).0, 0);
    let d = dir.to_str().unwrap();
    let (code, out, err) =
        vcd(&["-C", d, "query", "SELECT region, count(*) AS orders FROM sales GROUP BY 1 ORDER BY 1"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "region  │ orders");
    assert_eq!(lines[1], "VARCHAR │ BIGINT", "the second line names the column types");
    assert_eq!(lines.len(), 3 + 4, "{out}");
    assert!(err.starts_with("4 rows in "), "{err}");

    let (code, out, _) = vcd(&["-C", d, "query", "totals", "--param", "region=North"]);
    assert_eq!(code, 0);
    let (_, all, _) = vcd(&["-C", d, "query", "SELECT count(*) AS n FROM sales WHERE region = 'North'"]);
    let north = all.lines().nth(3).unwrap().trim().to_string();
    assert!(out.lines().nth(3).unwrap().trim_start().starts_with(&format!("{north} │")), "{out}");

    let (code, _, err) = vcd(&["-C", d, "query", "totls"]);
    assert_eq!(code, 1);
    assert!(err.contains("no query named 'totls' in queries/ (did you mean 'totals'?)"), "{err}");
    let (code, _, err) = vcd(&["-C", d, "query", "totals", "--param", "regoin=North"]);
    assert_eq!(code, 1);
    assert!(err.contains("no parameter $regoin (it takes $region)"), "{err}");
    let (code, _, err) = vcd(&["-C", d, "query", "SELECT * FROM nowhere"]);
    assert_eq!(code, 1);
    assert!(err.contains("nowhere"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
