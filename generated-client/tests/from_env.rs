//! `ClientBuilder::from_env_with`: every variable, each way it can be wrong, and that no
//! error or `Debug` output shows the client secret. The lookup is a map, so the process
//! environment is never touched.

use std::collections::HashMap;
use std::env::VarError;
use std::ffi::OsString;
use std::time::Duration;

use easemob_im::env::{EnvError, EnvProblem};
use easemob_im::{Client, ClientBuilder, Error};

const SECRET: &str = "YXA6-very-secret-value";

fn complete() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("EASEMOB_BASE_URL", "https://a1.easemob.com"),
        ("EASEMOB_APP_KEY", "easemob-demo#testapp"),
        ("EASEMOB_CLIENT_ID", "YXA6-client-id"),
        ("EASEMOB_CLIENT_SECRET", SECRET),
    ])
}

fn from(vars: &HashMap<&'static str, &'static str>) -> Result<ClientBuilder, Error> {
    ClientBuilder::from_env_with(|name| {
        vars.get(name)
            .map(|v| v.to_string())
            .ok_or(VarError::NotPresent)
    })
}

fn env_error(vars: &HashMap<&'static str, &'static str>) -> EnvError {
    match from(vars) {
        Err(Error::Env(e)) => {
            let text = format!("{} {:?} {:#}", e, e, Error::Env(e.clone()));
            assert!(!text.contains(SECRET), "{text}");
            assert!(text.contains(e.variable), "{text}");
            e
        }
        other => panic!("expected an environment error, got {other:?}"),
    }
}

#[test]
fn a_complete_environment_builds_a_client() {
    let builder = from(&complete()).unwrap();
    assert!(!format!("{builder:?}").contains(SECRET));
    let client = builder.build().unwrap();
    assert_eq!(client.org_name(), "easemob-demo");
    assert_eq!(client.app_name(), "testapp");
    assert_eq!(client.base_url().as_str(), "https://a1.easemob.com/");
    assert!(!format!("{client:?}").contains(SECRET));
}

#[test]
fn org_and_app_names_instead_of_the_app_key() {
    let mut vars = complete();
    vars.remove("EASEMOB_APP_KEY");
    vars.insert("EASEMOB_ORG_NAME", "org");
    vars.insert("EASEMOB_APP_NAME", "app");
    let client = from(&vars).unwrap().build().unwrap();
    assert_eq!((client.org_name(), client.app_name()), ("org", "app"));

    vars.insert("EASEMOB_APP_KEY", "o#a");
    let e = env_error(&vars);
    assert_eq!(e.variable, "EASEMOB_APP_KEY");
    assert_eq!(e.problem, EnvProblem::Conflicts("EASEMOB_ORG_NAME"));

    vars.remove("EASEMOB_APP_KEY");
    vars.remove("EASEMOB_APP_NAME");
    assert_eq!(env_error(&vars).variable, "EASEMOB_APP_NAME");
    vars.remove("EASEMOB_ORG_NAME");
    vars.insert("EASEMOB_APP_NAME", "app");
    assert_eq!(env_error(&vars).variable, "EASEMOB_ORG_NAME");
}

#[test]
fn each_missing_variable_is_named() {
    for variable in [
        "EASEMOB_BASE_URL",
        "EASEMOB_APP_KEY",
        "EASEMOB_CLIENT_ID",
        "EASEMOB_CLIENT_SECRET",
    ] {
        let mut vars = complete();
        vars.remove(variable);
        let e = env_error(&vars);
        assert_eq!((e.variable, &e.problem), (variable, &EnvProblem::Missing));
        // Empty counts as unset.
        vars.insert(variable, "");
        assert_eq!(env_error(&vars).problem, EnvProblem::Missing);
    }
    let mut vars = complete();
    vars.remove("EASEMOB_APP_KEY");
    let text = env_error(&vars).to_string();
    assert!(
        text.contains("EASEMOB_ORG_NAME and EASEMOB_APP_NAME"),
        "{text}"
    );
}

#[test]
fn malformed_values_are_named_without_their_value() {
    for key in ["no-hash", "#app", "org#", "#"] {
        let mut vars = complete();
        vars.insert("EASEMOB_APP_KEY", key);
        let e = env_error(&vars);
        assert_eq!(e.variable, "EASEMOB_APP_KEY");
        assert!(matches!(e.problem, EnvProblem::Malformed(_)));
    }
    for timeout in ["0", "-1", "1.5", "ten", "99999999999999999999999"] {
        let mut vars = complete();
        vars.insert("EASEMOB_TIMEOUT_SECS", timeout);
        let e = env_error(&vars);
        assert_eq!(e.variable, "EASEMOB_TIMEOUT_SECS");
        assert!(!e.to_string().contains(timeout) || timeout == "0", "{e}");
    }
    // A secret that is not Unicode: named, not shown.
    let e = ClientBuilder::from_env_with(|name| match name {
        "EASEMOB_CLIENT_SECRET" => Err(VarError::NotUnicode(OsString::from(SECRET))),
        other => complete()
            .get(other)
            .map(|v| v.to_string())
            .ok_or(VarError::NotPresent),
    })
    .unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(
        text.contains("EASEMOB_CLIENT_SECRET") && !text.contains(SECRET),
        "{text}"
    );
}

#[test]
fn the_timeout_and_a_bad_base_url() {
    let mut vars = complete();
    vars.insert("EASEMOB_TIMEOUT_SECS", " 15 ");
    let builder = from(&vars).unwrap();
    assert!(format!("{builder:?}").contains(&format!("{:?}", Some(Duration::from_secs(15)))));

    // The URL itself is checked by build(), like any other.
    vars.insert("EASEMOB_BASE_URL", "ftp://x");
    match from(&vars).unwrap().build() {
        Err(Error::Config(message)) => assert!(!message.contains(SECRET)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn client_from_env_reads_the_process_environment() {
    // Only asserts on a variable no test sets; the process environment is not changed.
    if std::env::var_os("EASEMOB_BASE_URL").is_none() {
        match Client::from_env() {
            Err(Error::Env(e)) => assert_eq!(e.variable, "EASEMOB_BASE_URL"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn several_base_urls_separated_by_commas() {
    let mut vars = complete();
    vars.insert(
        "EASEMOB_BASE_URL",
        "https://a1.easemob.com, https://backup.example.com",
    );
    let client = from(&vars).unwrap().build().unwrap();
    let urls: Vec<&str> = client.base_urls().map(|u| u.as_str()).collect();
    assert_eq!(
        urls,
        ["https://a1.easemob.com/", "https://backup.example.com/"]
    );

    for bad in [
        "https://a1.easemob.com,",
        ",https://a1.easemob.com",
        "https://a,,https://b",
    ] {
        vars.insert("EASEMOB_BASE_URL", bad);
        let e = env_error(&vars);
        assert_eq!(e.variable, "EASEMOB_BASE_URL");
        assert!(matches!(e.problem, EnvProblem::Malformed(_)));
    }
}
