//! Unit tests for the template engine's API: error kinds, lines and hints, references,
//! typed rendering, base64 and robustness. Pebble's behaviour case by case lives in the
//! table under `crates/flow/tests/expressions/`.

use super::*;
use Reference::*;
use serde_json::json;

struct Env;
impl SecretSource for Env {
    fn secret(&self, name: &str) -> Option<String> {
        name.starts_with("OK").then(|| format!("s3cret-{name}"))
    }

    fn kv(&self, namespace: &str, key: &str) -> Result<Option<Value>, String> {
        match (namespace, key) {
            ("company.team", "rows") => Ok(Some(json!([1, 2]))),
            ("other", "rows") => Ok(Some(json!(7))),
            (_, "broken") => Err("the store is down".into()),
            _ => Ok(None),
        }
    }
}

// Kestra: https://kestra.io/docs/concepts/kv-store and
// https://kestra.io/docs/migration-guide/0.22.0/kv-error-on-missing (errorOnMissing defaults true).
#[test]
fn kv_reads_the_flows_namespace_or_the_one_named() {
    let ctx = json!({"flow": {"namespace": "company.team"}});
    let render = |src: &str| TemplateEngine::new().render(src, &ctx, &Env);
    assert_eq!(render("{{ kv('rows') | length }}").unwrap(), "2");
    assert_eq!(render("{{ kv('rows', namespace='other') + 1 }}").unwrap(), "8");
    assert_eq!(render("{{ kv(key='rows', namespace='other') }}").unwrap(), "7");
    assert_eq!(render("[{{ kv('gone', errorOnMissing=false) }}]").unwrap(), "[]");
    let missing = render("{{ kv('gone') }}").unwrap_err();
    assert!(
        missing
            .message
            .contains("the key 'gone' does not exist in the namespace 'company.team'"),
        "{missing:?}"
    );
    assert!(missing.help.unwrap().contains("errorOnMissing=false"));
    assert!(
        render("{{ kv('broken') }}")
            .unwrap_err()
            .message
            .contains("the store is down")
    );
    let nowhere = TemplateEngine::new()
        .render("{{ kv('rows') }}", &json!({}), &Env)
        .unwrap_err();
    assert!(nowhere.message.contains("needs `namespace=`"), "{nowhere:?}");
    let unreadable = TemplateEngine::new()
        .render("{{ kv('rows') }}", &ctx, &NoSecrets)
        .unwrap_err();
    assert!(unreadable.message.contains("cannot be read here"), "{unreadable:?}");
}

fn r(src: &str) -> Result<String, TemplateError> {
    let ts = "2026-11-28T05:37:34Z";
    let inputs = json!({"name": "World", "list": ["a", "b"], "n": -3, "opt": null, "ts": ts});
    let ctx = json!({"inputs": inputs, "workingDir": "/tmp/wd", "dyn": "OK_DYN"});
    TemplateEngine::new().render(src, &ctx, &Env)
}

/// `template => kind | message | line | help`; `check` runs first, then `render`.
const ERRORS: &str = r#"
a\n{{ inputs.nme }} => UndefinedVariable | undefined variable `inputs.nme` | 2 | did you mean `name`?
{{ nope | upper }} => UndefinedVariable | undefined variable `nope` | 1 | the keys there are: dyn, inputs, workingDir
x\n{{ secret('NAME') }} => Secret | secret `NAME` is not set | 2 | set the environment variable SECRET_NAME to the base64-encoded value
{{ secret('NA' ~ 'ME') }} => Secret | secret `NAME` is not set | 1 | set the environment variable SECRET_NAME to the base64-encoded value
x\n{{ 'a' | uppper }} => Syntax | unknown filter `uppper` | 2 | did you mean `upper`?
{{ 'a' is not nonsense }} => Syntax | unknown test `nonsense` | 1 | see the tests Kestra has: https://kestra.io/docs/expressions
{{ nofunc(1) }} => Syntax | unknown function `nofunc` | 1 | see the functions Kestra has: https://kestra.io/docs/expressions
{{ 'a' | date(tz='UTC') }} => Syntax | filter `date` has no argument `tz`; its arguments are format, timeZone, existingFormat, locale | 1 |
{{ fileURI('A') }} => Render | Kestra's function `fileURI()` is not available in Sluice yet | 1 | pass the value in through an input or a previous task's output instead
"#;

#[test]
fn errors() {
    for case in ERRORS.trim().lines().map(|l| l.replace("\\n", "\n")) {
        let (src, want) = case.split_once(" => ").unwrap();
        let want = format!("{want} "); // an empty help still has its separator
        let want: Vec<&str> = want.splitn(4, " | ").map(str::trim).collect();
        let e = TemplateEngine::new().check(src).and_then(|_| r(src)).unwrap_err();
        let got = [
            format!("{:?}", e.kind),
            e.message,
            format!("{}", e.line.unwrap_or(0)),
            e.help.unwrap_or_default(),
        ];
        assert_eq!(got.map(|g| g.trim().to_string()).to_vec(), want, "{src}");
    }
    assert!(
        r("{{ 'nope' | date('yyyy') }}")
            .unwrap_err()
            .message
            .contains("ISO-8601")
    );
    assert!(r("{{ inputs.ts | date('yyyy', timeZone='Nowhere/Nope') }}").is_err());
}

#[test]
fn typed_values() {
    let ctx = json!({"inputs": {"secs": "30", "n": 30, "list": "[1, 2]"}});
    let v = |src: &str| TemplateEngine::new().render_value(src, &ctx, &Env).unwrap();
    assert_eq!(v("{{ inputs.n }}"), json!(30));
    assert_eq!(v("{{ inputs.n * 2 }}"), json!(60));
    assert_eq!(v("{{ fromJson(inputs.list) }}"), json!([1, 2]));
    assert_eq!(v(" {{ inputs.n }}"), json!(" 30"));
    assert_eq!(v("plain"), json!("plain"));
}

#[test]
fn unavailable_functions_are_listed() {
    let info = TemplateEngine::new()
        .check("{{ fileURI('a') }}{{ read('f') }}{{ kv('b') }}{{ fileSize('c') }}{{ fileURI('d') }}")
        .unwrap();
    assert_eq!(info.unavailable, vec!["fileSize".to_string(), "fileURI".to_string()]);
}

#[test]
fn references() {
    let refs = |src: &str| TemplateEngine::new().check(src).unwrap().references;
    let s = |x: &str| x.to_string();
    assert_eq!(refs("plain {x}"), vec![]);
    let dotted = "{{ inputs.x }}{{ outputs.t.vars.k }}{{ vars.v | upper }}{{ flow.id }}{{workingDir}}{{ inputs.x }}";
    let want = vec![
        Input(s("x")),
        Output(s("t")),
        Var(s("v")),
        Other(s("flow")),
        Other(s("workingDir")),
    ];
    assert_eq!(refs(dotted), want);
    let brackets = "{{ outputs['dbt-command'].vars.x }}{{ inputs[\"my-input\"] }}{{ range(2) }}{{ secret('A') }}";
    assert_eq!(refs(brackets), vec![Input(s("my-input")), Output(s("dbt-command"))]);
    assert_eq!(
        refs("{{ inputs }}{{ inputs['a'] }}{# outputs['c'] #}"),
        vec![Input(s("a")), Other(s("inputs"))]
    );
    let local = "{% set a = inputs.y %}{{ a.b }}{% for i in vars.l %}{{ i }}{{ loop.index }}{% endfor %}";
    assert_eq!(refs(local), vec![Input(s("y")), Var(s("l"))]);
}

#[test]
fn base64() {
    assert_eq!(decode_base64("aGVs\nbG8=").unwrap(), "hello");
    assert_eq!(decode_base64("aGVsbG8").unwrap(), "hello");
    assert_eq!(decode_base64("").unwrap(), "");
    for bad in ["aGV*bG8=", "aGVsbG8=x", "a", "aGVsbG8==="] {
        assert_eq!(decode_base64(bad).unwrap_err().kind, TemplateErrorKind::Secret, "{bad}");
    }
    assert!(decode_base64("/w==").unwrap_err().message.contains("UTF-8"));
}

proptest::proptest! {
    #[test]
    fn never_panics(s in "(\\{\\{|\\}\\}|\\{%|%\\}|\\{#|inputs|\\[|'|[ -~]|é|\n){0,40}", t in "\\PC{0,60}") {
        for s in [s, t] {
            let _ = TemplateEngine::new().check(&s);
            let _ = r(&s);
            let _ = decode_base64(&s);
        }
    }
}
