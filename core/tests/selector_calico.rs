//! Table tests for the selector language, covering what Calico's own tests assert
//! (`libcalico-go/lib/selector/parser/parser_test.go`, `tokenizer/tokenizer_test.go`) and the rules of
//! `../shared/spec/calico-semantics.md` §1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::collections::{BTreeMap, HashMap};

use netpol_core::model::{LabelSelector, LabelSelectorOperator, LabelSelectorRequirement};
use netpol_core::selector::{Expr, LabelLookup, MatchOp, Selector};

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse(text: &str) -> Selector {
    match Selector::parse(text) {
        Ok(sel) => sel,
        Err(err) => panic!("`{text}` should parse: {err}"),
    }
}

type Case = (
    &'static str,
    &'static [&'static [(&'static str, &'static str)]],
    &'static [&'static [(&'static str, &'static str)]],
);

/// (selector, label maps it matches, label maps it does not match).
const MATCH_TABLE: &[Case] = &[
    (
        r#"a == "b""#,
        &[&[("a", "b")], &[("a", "b"), ("c", "d")]],
        &[&[], &[("a", "c")], &[("c", "d")]],
    ),
    (
        r#"a == "b" && c == "d""#,
        &[&[("a", "b"), ("c", "d")]],
        &[
            &[],
            &[("a", "b"), ("c", "e")],
            &[("a", "c"), ("c", "d")],
            &[("c", "d")],
            &[("a", "b")],
        ],
    ),
    (
        r#"a == "b" || c == "d""#,
        &[&[("a", "b"), ("c", "d")], &[("a", "b")], &[("c", "d")]],
        &[&[], &[("a", "e"), ("c", "e")], &[("c", "e")], &[("a", "e")]],
    ),
    (
        r#"a in {"'", '"', "c"}"#,
        &[&[("a", "c")], &[("a", "\"")], &[("a", "'")]],
        &[&[], &[("a", "e")]],
    ),
    (
        r#"a not in {"'", '"', "c"}"#,
        &[&[], &[("a", "e")]],
        &[&[("a", "c")], &[("a", "\"")], &[("a", "'")]],
    ),
    ("a == 'a'", &[&[("a", "a")]], &[&[("a", "b")], &[]]),
    (r#"a != "b""#, &[&[("a", "a")], &[]], &[&[("a", "b")]]),
    (r#"a != "a""#, &[&[]], &[&[("a", "a")]]),
    (
        r#"a contains "a""#,
        &[&[("a", "a")], &[("a", "bab")], &[("a", "aaa"), ("b", "c")]],
        &[&[], &[("a", "b")], &[("b", "aaa")]],
    ),
    (
        r#"a starts with "a""#,
        &[&[("a", "a")], &[("a", "abb")], &[("a", "aaa"), ("b", "c")]],
        &[&[], &[("a", "b")], &[("a", "baa")], &[("b", "aaa")]],
    ),
    (
        r#"a ends with "a""#,
        &[&[("a", "a")], &[("a", "bba")], &[("a", "aaa"), ("b", "c")]],
        &[&[], &[("a", "b")], &[("a", "aab")], &[("b", "aaa")]],
    ),
    ("a contains ''", &[&[("a", "")], &[("a", "x")]], &[&[]]),
    (
        "a starts with '' && a ends with ''",
        &[&[("a", "")]],
        &[&[("b", "")]],
    ),
    (r#"a in {"a"}"#, &[&[("a", "a")]], &[&[("a", "b")], &[]]),
    (r#"!a in {"a"}"#, &[&[("a", "b")], &[]], &[&[("a", "a")]]),
    (
        r#"a in {"a", "b"}"#,
        &[&[("a", "a")], &[("a", "b")]],
        &[&[("a", "c")]],
    ),
    (
        r#"a not in {"d", "e"}"#,
        &[&[("a", "a")], &[]],
        &[&[("a", "d")]],
    ),
    ("a in {}", &[], &[&[], &[("a", "")]]),
    ("a not in {}", &[&[], &[("a", "")]], &[]),
    ("has(a)", &[&[("a", "b")], &[("a", "")]], &[&[("b", "b")]]),
    ("!has(a)", &[&[("b", "b")]], &[&[("a", "b")]]),
    ("", &[&[], &[("a", "b")]], &[]),
    (" ", &[&[]], &[]),
    ("\t", &[&[]], &[]),
    ("all()", &[&[], &[("a", "b")]], &[]),
    (" all()", &[&[]], &[]),
    ("global()", &[&[], &[("a", "b")]], &[]),
    (" global()", &[&[]], &[]),
    ("!all()", &[], &[&[], &[("a", "b")]]),
    ("has(b)", &[], &[&[("a", "b")]]),
    ("!!has(b)", &[], &[&[("a", "b")]]),
    ("! has(a)", &[], &[&[("a", "b")]]),
    ("!!! has(a)", &[], &[&[("a", "b")]]),
    ("!!!has(a)", &[], &[&[("a", "b")]]),
    ("!! ! has(a)", &[], &[&[("a", "b")]]),
    ("! !!has(a)", &[], &[&[("a", "b")]]),
    (
        "a == 'a1' && b == 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a == 'a1' && b != 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "a != 'a1' && b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "a != 'a1' && b != 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "a != 'a1' && !b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "!a == 'a1' && b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    ("has(a) && !has(b)", &[&[("a", "a")]], &[]),
    ("!has(b) && has(a)", &[&[("a", "a")]], &[]),
    ("!(!has(a) || has(b))", &[&[("a", "a")]], &[]),
    ("!(has(b) || !has(a))", &[&[("a", "a")]], &[]),
    (
        "a == 'a1' || b == 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a == 'a1' || b != 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a != 'a1' || b == 'b1'",
        &[&[("a", "a1"), ("b", "b1")]],
        &[],
    ),
    (
        "a != 'a1' || b != 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    (
        "! a == 'a1' || ! b == 'b1'",
        &[],
        &[&[("a", "a1"), ("b", "b1")]],
    ),
    // Precedence: `!` binds to one operation, `&&` before `||`.
    (
        "!a == 'x' || b == 'y'",
        &[&[], &[("a", "x"), ("b", "y")]],
        &[&[("a", "x")]],
    ),
    (
        "a == 'x' || b == 'y' && c == 'z'",
        &[&[("a", "x")], &[("b", "y"), ("c", "z")]],
        &[&[("b", "y")]],
    ),
    (
        "(a == 'x' || b == 'y') && c == 'z'",
        &[&[("b", "y"), ("c", "z")]],
        &[&[("a", "x")]],
    ),
    // Values are byte-exact and case-sensitive.
    (
        "a == 'X'",
        &[&[("a", "X")]],
        &[&[("a", "x")], &[("a", "X ")]],
    ),
    // Keywords are ordinary keys outside their positions.
    ("in in {'in'}", &[&[("in", "in")]], &[&[]]),
    (
        "has == 'x' && all != 'y' && global contains 'z'",
        &[&[("has", "x"), ("global", "zz")]],
        &[&[("has", "x")]],
    ),
    (
        "-x == 'a' && / == 'b' && 9lives == 'c'",
        &[&[("-x", "a"), ("/", "b"), ("9lives", "c")]],
        &[&[]],
    ),
    (
        "calico/k8s_ns == 'kube-system' && k8s-app == 'kube-dns'",
        &[&[("calico/k8s_ns", "kube-system"), ("k8s-app", "kube-dns")]],
        &[],
    ),
];

#[test]
fn calico_match_table() {
    for (text, yes, no) in MATCH_TABLE {
        let sel = parse(text);
        let reparsed = parse(&sel.canonical());
        for pairs in *yes {
            let map = labels(pairs);
            assert!(sel.matches(&map), "`{text}` should match {map:?}");
            assert!(
                reparsed.matches(&map),
                "canonical of `{text}` should match {map:?}"
            );
        }
        for pairs in *no {
            let map = labels(pairs);
            assert!(!sel.matches(&map), "`{text}` should not match {map:?}");
            assert!(
                !reparsed.matches(&map),
                "canonical of `{text}` should not match {map:?}"
            );
        }
    }
}

const BAD: &[&str] = &[
    "b == b",
    "b contains b",
    "b starts with b",
    "b ends with b",
    "'b1' == b",
    "b",
    "a b",
    "!",
    r#"foo == "bar" &"#,
    r#"foo == "bar" |"#,
    "foo != ||",
    r#"foo in {"", ||"#,
    r#"foo in """#,
    r#""FOO"#,
    r#""FOO'"#,
    "'FOO",
    "(",
    r#"(a == "foo""#,
    ")",
    "()",
    "%",
    r#"a == "b" && %"#,
    r#"a == "b" || %"#,
    "a ",
    "has(foo) &&",
    // Tokenizer rejections.
    "label = \"value\"",
    "all(",
    "global(",
    "has()",
    "has(foo",
    "has( foo ",
    r#"a == "b" & has(foo)"#,
    r#"a == "b" | has(foo)"#,
    r#"label starts foo "value""#,
    r#"label inf "value""#,
    r#"label ends foo "value""#,
    r#"label ends withs "value""#,
    r#"label squiggles "value""#,
    // From the semantics reference.
    "a == 'x'\n",
    "a == 'x' &&\nb == 'y'",
    "a ==\u{a0}'x'",
    "a == 1",
    r#"a == "a\"b""#,
    "a IN {'x'}",
    "a inx {'x'}",
    "has (k)",
    "all ()",
    "{,}",
    "a in {,}",
    "a in {'x',,}",
    "a in {'x' 'y'}",
    "a == 'x' b == 'y'",
    "a == 'x')",
    "has(a) == 'x'",
    "a == 'x' ||",
    "&& a == 'x'",
    "ä == 'x'",
];

#[test]
fn calico_rejects() {
    for text in BAD {
        assert!(
            Selector::parse(text).is_err(),
            "`{text:?}` should not parse"
        );
    }
}

#[test]
fn label_key_length_limit() {
    let ok = format!("{} == 'v'", "a".repeat(512));
    assert!(Selector::parse(&ok).is_ok());
    let too_long = format!("{} == 'v'", "a".repeat(513));
    let err = Selector::parse(&too_long).err();
    assert_eq!(err.map(|e| e.span()), Some(0..513));
    assert!(Selector::parse(&format!("has({})", "k".repeat(513))).is_err());
}

const CANONICAL: &[(&str, &str)] = &[
    ("", "all()"),
    (" all() ", "all()"),
    (" (all() )", "all()"),
    ("! (has( b)||! has(a ))", "!(has(b) || !has(a))"),
    (r#"! (a == "b"&&! c != "d")"#, r#"!(a == "b" && !c != "d")"#),
    (r#"a == "'""#, r#"a == "'""#),
    (r#"a == '"'"#, r#"a == '"'"#),
    (r#"a contains '"'"#, r#"a contains '"'"#),
    (r#"a contains "'""#, r#"a contains "'""#),
    (r#"a startswith '"'"#, r#"a starts with '"'"#),
    (r#"a endswith "'""#, r#"a ends with "'""#),
    (r#"a!='"'"#, r#"a != '"'"#),
    (r#"a in {"d"}"#, r#"a in {"d"}"#),
    (r#"a in {"a", "b"}"#, r#"a in {"a", "b"}"#),
    (r#"a in {"d", "a", "b"}"#, r#"a in {"a", "b", "d"}"#),
    (
        r#"a in {"z", "x", "y", "a"}"#,
        r#"a in {"a", "x", "y", "z"}"#,
    ),
    (
        r#"a in {"z", "z", "x", "y", "x", "a"}"#,
        r#"a in {"a", "x", "y", "z"}"#,
    ),
    ("k == 'v' && x == 'y'", r#"(k == "v" && x == "y")"#),
    ("k == 'v' || has(x)", r#"(k == "v" || has(x))"#),
    ("!(k == 'v')", r#"!k == "v""#),
    ("k in {'v'}", r#"k in {"v"}"#),
    ("k not in {'v'}", r#"k not in {"v"}"#),
    ("a notin{'x',}", r#"a not in {"x"}"#),
    ("a in {}", "a in {}"),
    (
        "a == 'x' && b == 'y' || c == 'z'",
        r#"((a == "x" && b == "y") || c == "z")"#,
    ),
    (
        "(a == 'x' && b == 'y') && c == 'z'",
        r#"((a == "x" && b == "y") && c == "z")"#,
    ),
    ("!!has(a)", "has(a)"),
    ("!(!has(a))", "!(!has(a))"),
    ("global()", "global()"),
];

#[test]
fn calico_canonical_forms() {
    for (input, expected) in CANONICAL {
        let sel = parse(input);
        assert_eq!(sel.canonical(), *expected, "canonical of `{input}`");
        assert_eq!(sel.to_string(), *expected);
        let again = parse(expected);
        assert_eq!(
            again, sel,
            "`{expected}` should parse to the same tree as `{input}`"
        );
        assert_eq!(again.canonical(), *expected);
    }
}

#[test]
fn tree_shape_follows_calico() {
    let sel = parse("!a == 'x' || b in {'z', 'y'}");
    assert_eq!(
        sel.expr(),
        &Expr::Or(vec![
            Expr::Not(Box::new(Expr::Match {
                key: "a".into(),
                op: MatchOp::Eq,
                value: "x".into()
            })),
            Expr::In {
                key: "b".into(),
                values: vec!["y".into(), "z".into()]
            },
        ])
    );
    assert!(parse("").is_all());
    assert!(parse(" ( all() ) ").is_all());
    assert!(parse("global()").is_global());
    assert!(parse("global() && all()").mentions_global());
}

#[test]
fn error_spans_and_messages() {
    let cases: &[(&str, std::ops::Range<usize>, &str)] = &[
        ("a == 'x' && (", 13..13, "expected a selector term"),
        ("a == 'x' && ", 12..12, "found end of input"),
        ("a == b", 5..6, "expected a quoted string after `==`"),
        ("a = 'x'", 2..3, "expected `==`"),
        ("a == 'x", 5..7, "unterminated string"),
        ("a == 'x')", 8..9, "unmatched `)`"),
        ("a squiggles 'x'", 2..11, "expected an operator"),
        ("a == 'x'\n", 8..9, "line break"),
        ("a in 'x'", 5..8, "expected a set literal"),
        ("a in {'x' 'y'}", 10..13, "expected `,` or `}`"),
        ("has(a", 5..5, "expected `)`"),
    ];
    for (text, span, fragment) in cases {
        let Err(err) = Selector::parse(text) else {
            panic!("`{text}` should not parse");
        };
        assert_eq!(err.span(), span.clone(), "span for `{text}`: {err}");
        assert!(
            err.message().contains(fragment),
            "message for `{text}`: {err}"
        );
        assert_eq!(
            err.to_string(),
            format!("{}..{}: {}", span.start, span.end, err.message())
        );
    }
    let err = Selector::parse("a == 'x' && b")
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            "13..13: expected an operator (`==`, `!=`, `in`, `not in`, `contains`, `starts with`, `ends with`) after label `b`, found end of input"
        )
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 100_000;
    let text = format!("{}a == 'x'{}", "(".repeat(depth), ")".repeat(depth));
    assert!(Selector::parse(&text).is_err());
    let bangs = format!("{}(a == 'x')", "!(".repeat(depth));
    assert!(Selector::parse(&bangs).is_err());
    let ok = format!("{}a == 'x'{}", "(".repeat(50), ")".repeat(50));
    assert!(Selector::parse(&ok).is_ok());
    let many_nots = format!("{}has(a)", "!".repeat(60_001));
    assert_eq!(parse(&many_nots).canonical(), "!has(a)");
    let huge = "a == 'x' && ".repeat(10_000) + "b == 'y'";
    assert!(
        Selector::parse(&huge).is_err(),
        "longer than the length limit"
    );
}

#[test]
fn lookups_and_helpers() {
    let sel = parse("app == 'web' && env in {'prod', 'dev'} && !has(legacy) && tier contains 'x'");
    let mut map: HashMap<String, String> = HashMap::new();
    map.insert("app".into(), "web".into());
    map.insert("env".into(), "dev".into());
    map.insert("tier".into(), "xx".into());
    assert!(sel.matches(&map));
    assert!(sel.matches(&&map));
    let dyn_lookup: &dyn LabelLookup = &map;
    assert!(sel.matches(dyn_lookup));
    assert_eq!(sel.label_keys(), vec!["app", "env", "legacy", "tier"]);
    assert_eq!(
        sel.label_values(),
        vec![
            ("app".to_string(), "web".to_string()),
            ("env".to_string(), "dev".to_string()),
            ("env".to_string(), "prod".to_string()),
        ]
    );
    let renamed = sel.rename_value("env", "dev", "zz-development");
    assert_eq!(
        renamed.canonical(),
        r#"(app == "web" && env in {"prod", "zz-development"} && !has(legacy) && tier contains "x")"#
    );
    assert_eq!(sel.rename_value("env", "dev", "both\"'"), sel);
    let a = parse("a == 'x'");
    assert_eq!(a.and(&Selector::all()), a);
    assert_eq!(Selector::all().and(&a), a);
    assert_eq!(
        a.and(&parse("b == 'y' || c == 'z'")).canonical(),
        r#"(a == "x" && (b == "y" || c == "z"))"#
    );
}

#[test]
fn namespace_selector_scope() {
    struct Ns(BTreeMap<String, String>, bool);
    impl LabelLookup for Ns {
        fn label(&self, key: &str) -> Option<&str> {
            self.0.get(key).map(String::as_str)
        }
        fn is_global(&self) -> bool {
            self.1
        }
    }
    let namespaced = Ns(labels(&[("env", "prod")]), false);
    let global = Ns(BTreeMap::new(), true);
    assert!(parse("all()").matches_namespace_selector(&namespaced));
    assert!(!parse("all()").matches_namespace_selector(&global));
    assert!(parse("global()").matches_namespace_selector(&global));
    assert!(!parse("global()").matches_namespace_selector(&namespaced));
    // `pcns.env != 'x'` is true for things with no namespace too.
    assert!(parse("env != 'x'").matches_namespace_selector(&global));
    assert!(parse("global()").matches(&labels(&[])));
}

#[test]
fn label_selector_conversion() {
    let ls = LabelSelector {
        match_labels: [
            ("b".to_string(), "2".to_string()),
            ("a".to_string(), "1".to_string()),
        ]
        .into(),
        match_expressions: vec![
            LabelSelectorRequirement {
                key: "c".into(),
                operator: LabelSelectorOperator::In,
                values: vec!["y".into(), "x".into()],
            },
            LabelSelectorRequirement {
                key: "d".into(),
                operator: LabelSelectorOperator::NotIn,
                values: vec!["z".into()],
            },
            LabelSelectorRequirement {
                key: "e".into(),
                operator: LabelSelectorOperator::Exists,
                values: vec![],
            },
            LabelSelectorRequirement {
                key: "f".into(),
                operator: LabelSelectorOperator::DoesNotExist,
                values: vec![],
            },
        ],
        ..LabelSelector::default()
    };
    let sel = Selector::from_label_selector(&ls).ok();
    let canonical = sel.as_ref().map(Selector::canonical);
    assert_eq!(
        canonical.as_deref(),
        Some(r#"(a == "1" && b == "2" && c in {"x", "y"} && d not in {"z"} && has(e) && !has(f))"#)
    );
    let back = sel.and_then(|s| s.to_label_selector());
    let mut expected = ls.clone();
    expected.match_expressions[0].values.sort();
    assert_eq!(back, Some(expected));
    assert!(Selector::from_label_selector(&LabelSelector::default()).is_ok_and(|s| s.is_all()));
    assert_eq!(
        Selector::all().to_label_selector(),
        Some(LabelSelector::default())
    );
    assert_eq!(parse("a == 'x' || b == 'y'").to_label_selector(), None);
    assert_eq!(parse("a contains 'x'").to_label_selector(), None);
    let ne = parse("a != 'x'").to_label_selector();
    assert_eq!(
        ne.map(|l| l.match_expressions[0].operator),
        Some(LabelSelectorOperator::NotIn)
    );
    let empty_in = LabelSelector {
        match_expressions: vec![LabelSelectorRequirement {
            key: "a".into(),
            operator: LabelSelectorOperator::In,
            values: vec![],
        }],
        ..LabelSelector::default()
    };
    assert!(Selector::from_label_selector(&empty_in).is_err());
}

#[test]
fn from_expr_restores_invariants() {
    let built = Selector::from_expr(Expr::And(vec![Expr::In {
        key: "a".into(),
        values: vec!["z".into(), "a".into(), "z".into()],
    }]));
    assert_eq!(
        built.map(|s| s.canonical()).ok().as_deref(),
        Some(r#"a in {"a", "z"}"#)
    );
    assert!(Selector::from_expr(Expr::Has("bad key".into())).is_err());
    assert!(
        Selector::from_expr(Expr::Match {
            key: "a".into(),
            op: MatchOp::Eq,
            value: "\"'".into()
        })
        .is_err()
    );
}

#[test]
fn prefixing_and_namespace_rewriting_as_calico() {
    // GetEntityRuleSelector: namespaceSelector keys get `pcns.`, all() → has(ns), global() → !has(ns).
    let ns_sel = parse("env == 'prod' || all() || global()").prefixed("pcns.");
    let has_ns = parse("has(projectcalico.org/namespace)");
    let no_ns = parse("!has(projectcalico.org/namespace)");
    let rewritten = ns_sel.map(|s| s.replace_all_and_global(&has_ns, &no_ns).canonical());
    assert_eq!(
        rewritten.ok().as_deref(),
        Some(
            r#"(pcns.env == "prod" || has(projectcalico.org/namespace) || !has(projectcalico.org/namespace))"#
        )
    );
    // Replacements are not rewritten again.
    let swapped = parse("all()").replace_all_and_global(&parse("global()"), &parse("all()"));
    assert!(swapped.is_global());
    assert!(parse("has(a)").prefixed(&"p".repeat(512)).is_err());
    assert_eq!(
        parse("a in {'x'} && !has(b)")
            .prefixed("pcsa.")
            .map(|s| s.label_keys())
            .ok(),
        Some(vec!["pcsa.a".to_string(), "pcsa.b".to_string()])
    );
}

#[test]
fn serde_uses_the_canonical_text() {
    let sel = parse("b == 'y' && a in {'z', 'x'}");
    let json = serde_json::to_string(&sel).ok();
    assert_eq!(
        json.as_deref(),
        Some(r#""(b == \"y\" && a in {\"x\", \"z\"})""#)
    );
    let back: Option<Selector> = json.and_then(|j| serde_json::from_str(&j).ok());
    assert_eq!(back, Some(sel));
    assert!(serde_json::from_str::<Selector>(r#""a == b""#).is_err());
}

#[test]
fn field_length_limit() {
    let at_limit = format!("a == '{}'", "x".repeat(1024 - 7));
    assert_eq!(at_limit.chars().count(), 1024);
    assert!(Selector::parse_field(&at_limit).is_ok());
    let over = format!("a == '{}'", "é".repeat(1024 - 6));
    let err = Selector::parse_field(&over).err();
    assert_eq!(err.as_ref().map(|e| e.span().end), Some(over.len()));
    assert!(err.is_some_and(|e| e.message().contains("1025 characters")));
    assert!(
        Selector::parse(&over).is_ok(),
        "the parser itself has a larger limit"
    );
}

#[test]
fn a_label_selector_is_written_in_selector_syntax_in_the_forms() {
    assert_eq!(
        Selector::parse_label_selector("  "),
        Ok(LabelSelector::default())
    );
    assert_eq!(
        Selector::parse_label_selector("all()"),
        Ok(LabelSelector::default())
    );
    let env = Selector::parse_label_selector("env == 'prod'").map(|l| l.match_labels);
    assert_eq!(env, Ok([("env".to_owned(), "prod".to_owned())].into()));
    let or =
        Selector::parse_label_selector("a == 'x' || b == 'y'").map_err(|e| e.message().to_owned());
    assert!(
        or.as_ref()
            .is_err_and(|m| m.contains("has no Kubernetes label selector form")),
        "{or:?}"
    );
    assert!(Selector::parse_label_selector("env ==").is_err());
}
