//! `deploy/kubernetes/` against a real cluster: every manifest is accepted by the API server
//! (server-side dry run), and the Kubernetes runner works with only the Role of `role.yaml`,
//! reached through inline connection settings (`masterUrl`, `caCertData`, `oauthToken`) as a
//! worker in a cluster would be: a service account of a fresh namespace, its token, nothing
//! more. Runs against the cluster of `SLUICE_E2E_KUBECONFIG` (see tests/kubernetes.rs); fails
//! loudly without one.

mod common;

use common::{run, texts};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use serde_json::{Value, json};
use sluice_runners::{
    CancellationToken, Job, KubernetesConnection, KubernetesOptions, KubernetesRunner, Stream, TaskRunner,
};

const IMAGE: &str = "sluice-test/busybox:1";

fn kubeconfig() -> String {
    std::env::var("SLUICE_E2E_KUBECONFIG").unwrap_or_else(|_| {
        panic!(
            "NO KUBERNETES CLUSTER: set SLUICE_E2E_KUBECONFIG (scripts/k8s-cluster start prints it) to run these tests"
        )
    })
}

/// A manifest of `deploy/kubernetes/` as JSON.
fn manifest(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy/kubernetes")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let node = sluice_flow::yaml::parse(&text).unwrap_or_else(|d| panic!("{}", d.render(name)));
    node.to_json()
}

/// The Role, for any namespace.
fn role() -> Role {
    let mut role: Role = serde_json::from_value(manifest("role.yaml")).unwrap();
    role.metadata.namespace = None;
    role
}

async fn admin() -> kube::Client {
    let admin_config = json!({"kubeconfig": kubeconfig()});
    let admin = KubernetesConnection::from_kestra(admin_config.as_object().unwrap()).unwrap();
    KubernetesConnection::client(Some(&admin)).await.unwrap().0
}

/// Creates `object` of type `K` with a server-side dry run: the API server checks it fully and
/// stores nothing.
async fn dry_run<K>(client: &kube::Client, object: Value) -> Result<(), String>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + serde::Serialize,
{
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or("default").to_owned();
    let typed: K = serde_json::from_value(object).map_err(|e| e.to_string())?;
    let api: Api<K> = Api::namespaced(client.clone(), &namespace);
    let params = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    api.create(&params, &typed).await.map(|_| ()).map_err(|e| e.to_string())
}

#[tokio::test]
async fn every_deploy_manifest_is_accepted_by_the_api_server() {
    use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
    use k8s_openapi::api::core::v1::Service;
    let client = admin().await;
    // Namespaced objects can only be tried in a namespace that exists.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace: Namespace = serde_json::from_value(manifest("namespace.yaml")).unwrap();
    let created = match namespaces.create(&PostParams::default(), &namespace).await {
        Ok(_) => true,
        Err(kube::Error::Api(s)) if s.code == 409 => false,
        Err(e) => panic!("{e}"),
    };
    let listed = manifest("kustomization.yaml");
    let files: Vec<&str> = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(files.len(), 9, "{files:?}");
    for file in files {
        let object = manifest(file);
        let kind = object["kind"].as_str().unwrap_or_default().to_owned();
        let result = match kind.as_str() {
            "Namespace" => Ok(()),
            "ServiceAccount" => dry_run::<ServiceAccount>(&client, object).await,
            "Role" => dry_run::<Role>(&client, object).await,
            "RoleBinding" => dry_run::<RoleBinding>(&client, object).await,
            "StatefulSet" => dry_run::<StatefulSet>(&client, object).await,
            "Service" => dry_run::<Service>(&client, object).await,
            "Deployment" => dry_run::<Deployment>(&client, object).await,
            other => Err(format!("no check for kind {other}")),
        };
        if let Err(e) = result {
            panic!("{file} ({kind}) was refused: {e}");
        }
    }
    if created {
        namespaces.delete("sluice", &DeleteParams::default()).await.unwrap();
    }
}

#[tokio::test]
async fn the_documented_role_is_enough_for_the_runner() {
    let client = admin().await;
    let namespace = format!("sluice-rbac-{}", std::process::id());
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": namespace}})).unwrap();
    namespaces.create(&PostParams::default(), &ns).await.unwrap();
    let result = exercise(&client, &namespace).await;
    namespaces.delete(&namespace, &DeleteParams::default()).await.unwrap();
    result.unwrap();
}

async fn exercise(client: &kube::Client, namespace: &str) -> Result<(), String> {
    let post = PostParams::default();
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let account: ServiceAccount = serde_json::from_value(json!({"metadata": {"name": "sluice"}})).unwrap();
    accounts.create(&post, &account).await.map_err(|e| e.to_string())?;
    let roles: Api<Role> = Api::namespaced(client.clone(), namespace);
    roles.create(&post, &role()).await.map_err(|e| e.to_string())?;
    let binding: RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "sluice-task-runner"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "sluice-task-runner"},
        "subjects": [{"kind": "ServiceAccount", "name": "sluice", "namespace": namespace}],
    }))
    .unwrap();
    let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), namespace);
    bindings.create(&post, &binding).await.map_err(|e| e.to_string())?;

    // Kubernetes 1.20 makes a token secret for each service account; newer ones need a request.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let mut token = None;
    for _ in 0..60 {
        let account = accounts.get("sluice").await.map_err(|e| e.to_string())?;
        if let Some(name) = account.secrets.unwrap_or_default().first().and_then(|s| s.name.clone()) {
            let secret = secrets.get(&name).await.map_err(|e| e.to_string())?;
            token = secret
                .data
                .and_then(|d| d.get("token").map(|t| String::from_utf8_lossy(&t.0).into_owned()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let token = token.ok_or("the service account got no token secret (Kubernetes 1.24+ needs a TokenRequest)")?;
    let cluster = client_cluster();
    let settings = json!({
        "namespace": namespace,
        "pullPolicy": "Never",
        "fileSidecar": {"image": IMAGE},
        "config": {"masterUrl": cluster.0, "caCertData": cluster.1, "oauthToken": token},
    });
    let options = KubernetesOptions::from_kestra(settings.as_object().unwrap()).map_err(|e| e.to_string())?;
    let base = std::env::temp_dir().join(format!("sluice-k8s-rbac-{}", std::process::id()));
    let runner = KubernetesRunner::connect(options, base)
        .await
        .map_err(|e| e.to_string())?;
    let mut job = Job::new(
        format!("rbac-{}", std::process::id()),
        ["/bin/sh", "-c", "cat in.txt; echo out > out.txt"],
    );
    job.image = Some(IMAGE.into());
    job.input_files.insert("in.txt".into(), b"in\n".to_vec());
    job.output_files = vec!["out.txt".into()];
    let (outcome, lines) = run(&runner, &job, CancellationToken::new()).await;
    let outcome = outcome.map_err(|e| e.to_string())?;
    if !outcome.succeeded() || texts(&lines, Stream::Stdout) != ["in"] || outcome.output_files.len() != 1 {
        return Err(format!("{outcome:?} {lines:?}"));
    }
    runner.cleanup(&job).await.map_err(|e| e.to_string())?;
    // The token is really restricted: secrets are out of its reach.
    let restricted: Api<Secret> = Api::namespaced(runner.client().clone(), namespace);
    match restricted.list(&Default::default()).await {
        Err(kube::Error::Api(status)) if status.code == 403 => Ok(()),
        other => Err(format!("listing secrets should be forbidden, got {other:?}")),
    }
}

/// The API server's URL and CA (base64) from the test kubeconfig.
fn client_cluster() -> (String, String) {
    let text = std::fs::read_to_string(kubeconfig()).unwrap();
    let node = sluice_flow::yaml::parse(&text).unwrap_or_else(|d| panic!("{}", d.render("kubeconfig")));
    let config: Value = node.to_json();
    let cluster = &config["clusters"][0]["cluster"];
    (
        cluster["server"].as_str().unwrap().to_owned(),
        cluster["certificate-authority-data"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}
