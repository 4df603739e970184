//! `io.kestra.plugin.kubernetes`: tasks that talk to a Kubernetes cluster.

pub mod pod_create;
