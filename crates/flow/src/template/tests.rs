//! Tests for the template engine: rendering, error messages, references and secrets.
//!
//! Kept out of `mod.rs` so the engine stays short; the tables below are one case a line.

use super::*;
use Reference::*;
use jiff::tz::TimeZone;
use serde_json::json;

struct Env;
impl SecretSource for Env {
    fn secret(&self, name: &str) -> Option<String> {
        name.starts_with("OK").then(|| format!("s3cret-{name}"))
    }
}

fn r(src: &str) -> Result<String, TemplateError> {
    let ts = "2026-11-28T05:37:34Z";
    let inputs = json!({"name": "World", "list": ["a", "b"], "n": -3, "opt": null, "ts": ts});
    let ctx = json!({"inputs": inputs, "workingDir": "/tmp/wd", "dyn": "OK_DYN"});
    TemplateEngine::new().render(src, &ctx, &Env)
}

/// One case per line, `template => expected`, with `\n` written as an escape.
const RENDERS: &str = r#"
a: b\n  c {\n => a: b\n  c {\n
{{ 1 == 1 }} {{ inputs.opt is none }} => true true
cd {{workingDir}}\necho {{ inputs.name }}\n => cd /tmp/wd\necho World\n
{{ inputs.opt }}|{{ inputs.list }}|{{ 'a<b' }}|{% raw %}{{ x }}{% endraw %} => |["a","b"]|a<b|{{ x }}
{{ x | default('y') }}{{ inputs.nme | default('z') }}{{ inputs.opt | default('o') }} => yzo
{% if x is defined %}d{% else %}u{% endif %}{% if inputs.opt is null %}n{% endif %} => un
{{ secret('OK_A') }} {{ secret(dyn) }} {{ secret('OK_' ~ 'B') }} => s3cret-OK_A s3cret-OK_DYN s3cret-OK_B
{{ inputs.name | upper }}{{ 'AB' | lower }}{{ ' t ' | trim }}{{ inputs.list | length }} => WORLDabt2
{{ inputs.list | first }}{{ inputs.list | last }}{{ inputs.list | join('-') }}{{ inputs.n | abs }} => aba-b3
{{ inputs.list | json }} {{ {'k': none} | toJson }} {{ 'a"' | toJson }} => ["a","b"] {"k":null} "a\""
{{ ' Hello,  Wörld! 2 ' | slugify }} => hello-w-rld-2
{{ 'aXbY' | replace('X', '-') }} {{ 'aXbY' | replace({'X': '1', 'Y': '2'}) }} => a-bY a1b2
{% for p in 'a,b,,c' | split(',') %}[{{ p }}]{% endfor %} => [a][b][][c]
{{ inputs.ts | date('yyyy-MM-dd HH:mm:ss.SSS') }} => 2026-11-28 05:37:34.000
{{ inputs.ts | date('EEE EEEE d MMM MMMM yy M H a Z XXX') }} => Sat Saturday 28 Nov November 26 11 5 AM +0000 Z
{{ inputs.ts | date('iso') }} {{ inputs.ts | date }} => 2026-11-28T05:37:34Z 2026-11-28T05:37:34Z
{{ '2026-01-02T03:04:05+02:00' | date('HH:mm XXX') }} => 03:04 +02:00
{{ '2026-01-02' | date('dd/MM/yyyy HH:mm', timeZone='UTC') }} => 02/01/2026 00:00
{{ '2026-01-02' | date("''yy'' '100%'") }} => '26' 100%
{{ inputs.ts | date("yyyy-MM-dd'T'HH:mm:ssXXX", timezone='Europe/Paris') }} => 2026-11-28T06:37:34+01:00
"#;

/// `template => kind | message | line | help`; `check` runs first, then `render`.
const ERRORS: &str = r#"
a\n{{ inputs.nme }} => UndefinedVariable | undefined variable `inputs.nme` | 2 | pass it in, or make it optional with `| default(...)` or `is defined`
{{ nope | upper }} => UndefinedVariable | undefined variable `nope` | 1 | pass it in, or make it optional with `| default(...)` or `is defined`
{% for x in nope %}{% endfor %} => UndefinedVariable | undefined variable `nope` | 1 | pass it in, or make it optional with `| default(...)` or `is defined`
x\n{{ secret('NAME') }} => Secret | secret `NAME` is not set | 2 | set the environment variable SECRET_NAME to the base64-encoded value
{{ secret('NA' ~ 'ME') }} => Secret | secret `NAME` is not set | 1 | set the environment variable SECRET_NAME to the base64-encoded value
a\nb\n{{ inputs.x }\nc => Syntax | syntax error: unexpected `}`, expected end of variable block | 3 | close every `{{` with `}}`
{{ inputs.x ?? 'd' }} => Syntax | syntax error: unexpected character | 1 | replace `a ?? b` with `a | default(b)`
{% if x %}\n{% endif => Syntax | syntax error: unexpected end of input, expected end of block | 2 | close every `{%` with `%}`
{% if %}{% endif %} => Syntax | syntax error: unexpected end of block | 1 |
{{ x ? 1 : 2 }} => Syntax | syntax error: unexpected character | 1 | replace `a ? b : c` with `b if a else c`
x\n{{ 'a' | uppper }} => Syntax | unknown filter `uppper` | 2 |
{{ 'a' is not nonsense }} => Syntax | unknown test `nonsense` | 1 |
{{ 1 + x }} => UndefinedVariable | undefined variable `x` | 1 | pass it in, or make it optional with `| default(...)` or `is defined`
{{ 1 + 'a' }} => Render | invalid operation: tried to use + operator on unsupported types number and string | 1 |
{{ 'a' | replace('a') }} => Render | invalid operation: use replace('a', 'b') or replace({'a': 'b'}) | 1 |
{{ inputs.ts | date('yyyy QQ') }} => Render | invalid operation: unsupported date pattern `QQ` | 1 |
"#;

#[test]
fn renders() {
    let paris = TimeZone::get("Europe/Paris").is_ok(); // needs the system tz database
    for case in RENDERS.trim().lines().map(|l| l.replace("\\n", "\n")) {
        let (src, want) = case.split_once(" => ").unwrap();
        if paris || !src.contains("Paris") {
            assert_eq!(r(src).unwrap_or_else(|e| panic!("{src}: {e:?}")), want, "{src}");
        }
    }
}

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
    assert!(r("{{ inputs.ts | date('yyyy', timezone='Nowhere/Nope') }}").is_err());
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

/// The engine is built once and shared between threads.
fn _shareable(engine: TemplateEngine) -> impl Send + Sync {
    engine
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
