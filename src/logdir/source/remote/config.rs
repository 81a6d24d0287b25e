//! Building a store client from a URL scheme, a bucket and the environment,
//! the way each cloud's own tools read their settings (`object_store` reads
//! its `AWS_*`, `GOOGLE_*` and `AZURE_*` variables; this adds the AWS shared
//! files and profiles, the Azure CLI's variable names and the GCS emulator
//! variable, which it does not know).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::{ObjectStore, RetryConfig};

/// A client for `bucket` of the store named by `scheme` (`s3`, `gs`, `az`),
/// with `options` (`object_store` configuration keys such as
/// `aws_endpoint`) over what the environment says.
pub(super) fn build(
    scheme: &str,
    bucket: &str,
    retry: RetryConfig,
    options: &[(&str, &str)],
) -> object_store::Result<Arc<dyn ObjectStore>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    Ok(match scheme {
        "s3" => {
            let mut b = s3(bucket, retry, &env);
            for (k, v) in options {
                b = b.with_config(k.parse()?, *v);
            }
            Arc::new(b.build()?)
        }
        "gs" => {
            let mut b = gcs(bucket, retry, &env)?;
            for (k, v) in options {
                b = b.with_config(k.parse()?, *v);
            }
            Arc::new(b.build()?)
        }
        "az" => {
            let mut b = azure(bucket, retry, &env);
            for (k, v) in options {
                b = b.with_config(k.parse()?, *v);
            }
            Arc::new(b.build()?)
        }
        other => {
            return Err(object_store::Error::NotSupported {
                source: format!("no object store for {other}:// URLs").into(),
            })
        }
    })
}

/// Whether a variable says yes.
fn is_true(v: Option<String>) -> bool {
    v.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn s3(bucket: &str, retry: RetryConfig, env: Env<'_>) -> AmazonS3Builder {
    let mut b = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_retry(retry);
    let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".to_string());
    let has_keys = env("AWS_ACCESS_KEY_ID").is_some();
    if !has_keys {
        let file = env("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| home(".aws/credentials"));
        let creds = file
            .and_then(|f| ini_section(&f, &profile))
            .unwrap_or_default();
        if let (Some(id), Some(secret)) = (
            creds.get("aws_access_key_id"),
            creds.get("aws_secret_access_key"),
        ) {
            b = b.with_access_key_id(id).with_secret_access_key(secret);
            if let Some(token) = creds.get("aws_session_token") {
                b = b.with_token(token);
            }
        }
    }
    let file = env("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home(".aws/config"));
    let section = if profile == "default" {
        profile.clone()
    } else {
        format!("profile {profile}")
    };
    let config = file
        .and_then(|f| ini_section(&f, &section))
        .unwrap_or_default();
    if env("AWS_REGION").is_none() && env("AWS_DEFAULT_REGION").is_none() {
        if let Some(region) = config.get("region") {
            b = b.with_region(region);
        }
    }
    let endpoint = env("AWS_ENDPOINT_URL_S3")
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| config.get("endpoint_url").cloned());
    if let Some(e) = endpoint {
        b = b.with_endpoint(e);
    }
    // Public buckets: unsigned requests, as `aws s3 --no-sign-request`.
    if is_true(env("AWS_NO_SIGN_REQUEST")) {
        b = b.with_skip_signature(true);
    }
    b
}

fn gcs(
    bucket: &str,
    retry: RetryConfig,
    env: Env<'_>,
) -> object_store::Result<GoogleCloudStorageBuilder> {
    let mut b = GoogleCloudStorageBuilder::from_env()
        .with_bucket_name(bucket)
        .with_retry(retry);
    // Google's client libraries talk to an emulator at this host, unsigned.
    if let Some(host) = env("STORAGE_EMULATOR_HOST") {
        let url = if host.contains("://") {
            host
        } else {
            format!("http://{host}")
        };
        b = b
            .with_config("google_base_url".parse()?, url.trim_end_matches('/'))
            .with_config("allow_http".parse()?, "true")
            .with_skip_signature(true);
    }
    Ok(b)
}

fn azure(container: &str, retry: RetryConfig, env: Env<'_>) -> MicrosoftAzureBuilder {
    let mut b = MicrosoftAzureBuilder::from_env()
        .with_container_name(container)
        .with_retry(retry);
    // The Azure CLI's names for the same settings.
    if env("AZURE_STORAGE_ACCOUNT_NAME").is_none() {
        if let Some(account) = env("AZURE_STORAGE_ACCOUNT") {
            b = b.with_account(account);
        }
    }
    if env("AZURE_STORAGE_ACCOUNT_KEY").is_none() && env("AZURE_STORAGE_ACCESS_KEY").is_none() {
        if let Some(key) = env("AZURE_STORAGE_KEY") {
            b = b.with_access_key(key);
        }
    }
    if is_true(env("AZURE_STORAGE_USE_EMULATOR")) {
        b = b.with_use_emulator(true).with_allow_http(true);
    }
    if let Some(text) = env("AZURE_STORAGE_CONNECTION_STRING") {
        b = with_connection_string(b, &text);
    }
    b
}

/// The settings of an Azure connection string (`Key=Value;…`, as the Azure
/// CLI and SDKs take in `AZURE_STORAGE_CONNECTION_STRING`): `AccountName`,
/// `AccountKey`, `SharedAccessSignature`, `BlobEndpoint` (or
/// `DefaultEndpointsProtocol` with `EndpointSuffix`) and
/// `UseDevelopmentStorage=true` for the emulator. Other keys are ignored.
fn with_connection_string(mut b: MicrosoftAzureBuilder, text: &str) -> MicrosoftAzureBuilder {
    let pairs = connection_string(text);
    let get = |k: &str| pairs.get(&k.to_ascii_lowercase()).cloned();
    if is_true(get("UseDevelopmentStorage")) {
        b = b.with_use_emulator(true).with_allow_http(true);
    }
    if let Some(account) = get("AccountName") {
        b = b.with_account(account);
    }
    if let Some(key) = get("AccountKey") {
        b = b.with_access_key(key);
    }
    if let Some(sas) = get("SharedAccessSignature") {
        b = b.with_config(AzureConfigKey::SasKey, sas);
    }
    let endpoint = get("BlobEndpoint").or_else(|| {
        let (account, suffix) = (get("AccountName")?, get("EndpointSuffix")?);
        let scheme = get("DefaultEndpointsProtocol").unwrap_or_else(|| "https".to_string());
        Some(format!("{scheme}://{account}.blob.{suffix}"))
    });
    if let Some(url) = endpoint {
        if url.starts_with("http://") {
            b = b.with_allow_http(true);
        }
        b = b.with_endpoint(url.trim_end_matches('/').to_string());
    }
    b
}

/// A connection string's `Key=Value` pairs, keys lower-cased (values may
/// hold `=`, as keys and signatures do).
fn connection_string(text: &str) -> HashMap<String, String> {
    text.split(';')
        .filter_map(|part| part.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect()
}

/// `$HOME/rel`.
fn home(rel: &str) -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(rel))
}

/// The `key = value` pairs of `[section]` in an INI file (the AWS shared
/// files' format), keys lower-cased; `None` if the file cannot be read.
fn ini_section(path: &std::path::Path, section: &str) -> Option<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(parse_ini_section(&text, section))
}

fn parse_ini_section(text: &str, section: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == section;
            continue;
        }
        if let (true, Some((k, v))) = (inside, line.split_once('=')) {
            out.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_are_read_like_the_aws_cli() {
        let text = "\
# comment
[default]
aws_access_key_id = AKIDEFAULT
aws_secret_access_key=secret

[profile dev]
region = eu-west-1
Endpoint_URL = http://127.0.0.1:9000
[other]
region = x
";
        let d = parse_ini_section(text, "default");
        assert_eq!(d["aws_access_key_id"], "AKIDEFAULT");
        assert_eq!(d["aws_secret_access_key"], "secret");
        let dev = parse_ini_section(text, "profile dev");
        assert_eq!(dev["region"], "eu-west-1");
        assert_eq!(dev["endpoint_url"], "http://127.0.0.1:9000");
        assert!(parse_ini_section(text, "missing").is_empty());
    }

    #[test]
    fn connection_strings_split_at_the_first_equals_sign() {
        let c = connection_string(
            "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5==;\
             BlobEndpoint=http://127.0.0.1:10000/dev;",
        );
        assert_eq!(c["accountname"], "dev");
        assert_eq!(c["accountkey"], "a2V5==");
        assert_eq!(c["blobendpoint"], "http://127.0.0.1:10000/dev");
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn yes_values() {
        assert!(is_true(Some("TRUE".into())));
        assert!(is_true(Some("1".into())));
        assert!(!is_true(Some("false".into())));
        assert!(!is_true(None));
    }
}
