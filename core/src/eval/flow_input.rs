//! Flows and endpoints as `netpol eval` / `netpol explain` read them (`cli.md`): JSON lines
//! `{"src": ENDPOINT, "dst": ENDPOINT, "protocol": "TCP", "port": 8080}` where ENDPOINT is an inline
//! workload, `{"ref": "namespace/name"}` or `{"ip": "203.0.113.7"}`; or `namespace/name` / an IP on
//! the command line. A line of a probe plan (`probe_plan`) is a flow too: it adds `expect` (the
//! verdict the plan expects, which [`parse_probe_line`] returns) and the plan's `because` and
//! `reason`, read past.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Deserialize;
use serde_json::Value;

use super::{Endpoint, EndpointId, Evaluator, Flow, Verdict, WorkloadEndpoint};
use crate::model::vocabulary::addresses::parse_net;
use crate::model::{ContainerPort, Labels, Protocol, ResourceSet};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowLine {
    src: Value,
    dst: Value,
    protocol: Value,
    #[serde(default)]
    port: Option<u16>,
    /// A probe plan's expectation.
    #[serde(default)]
    expect: Option<Verdict>,
    /// A probe plan's explanations, for people.
    #[serde(default, rename = "because")]
    _because: Option<Value>,
    #[serde(default, rename = "reason")]
    _reason: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct InlineWorkload {
    namespace: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    namespace_labels: Option<Labels>,
    #[serde(default)]
    service_account: Option<String>,
    #[serde(default)]
    ip: Option<String>,
    /// Absent: the container ports are not given (named rule ports may make verdicts undecidable).
    #[serde(default)]
    ports: Option<Vec<ContainerPort>>,
}

/// Parses one JSON line into a flow, interning its endpoints.
pub fn parse_flow_line(
    ev: &mut Evaluator,
    resources: &ResourceSet,
    line: &str,
) -> Result<Flow, String> {
    parse_probe_line(ev, resources, line).map(|(flow, _)| flow)
}

/// Parses one JSON line into a flow and the verdict it expects, if it is a probe plan's line.
pub fn parse_probe_line(
    ev: &mut Evaluator,
    resources: &ResourceSet,
    line: &str,
) -> Result<(Flow, Option<Verdict>), String> {
    let flow: FlowLine = serde_json::from_str(line).map_err(|e| format!("not a flow: {e}"))?;
    let protocol = match &flow.protocol {
        Value::String(s) => Protocol::parse_lenient(s).map_err(|e| e.to_string())?,
        Value::Number(n) => match n
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| *n > 0)
        {
            Some(n) => Protocol::from_number(n),
            None => return Err(format!("`{n}` is not a protocol number 1-255")),
        },
        other => return Err(format!("`{other}` is not a protocol")),
    };
    let src = parse_endpoint_value(ev, resources, &flow.src).map_err(|e| format!("src: {e}"))?;
    let dst = parse_endpoint_value(ev, resources, &flow.dst).map_err(|e| format!("dst: {e}"))?;
    let port = if protocol.has_ports() {
        flow.port
    } else {
        None
    };
    Ok((
        Flow {
            src,
            dst,
            protocol,
            port,
        },
        flow.expect,
    ))
}

/// An ENDPOINT object of a flow line.
pub fn parse_endpoint_value(
    ev: &mut Evaluator,
    resources: &ResourceSet,
    value: &Value,
) -> Result<EndpointId, String> {
    let obj = value
        .as_object()
        .ok_or("an endpoint is an object: {\"ref\": ...}, {\"ip\": ...} or a workload")?;
    if let Some(r) = obj.get("ref") {
        let name = r.as_str().ok_or("`ref` is `namespace/name`")?;
        return ev
            .workload(name)
            .ok_or_else(|| format!("no pod or workload `{name}` in the resources"));
    }
    if !obj.contains_key("namespace") {
        let ip = obj
            .get("ip")
            .and_then(Value::as_str)
            .ok_or("an outside endpoint needs `ip`")?;
        if obj.len() > 1 {
            return Err(
                "an outside endpoint has only `ip` (add `namespace` for a workload)".into(),
            );
        }
        return Ok(ev.intern(&Endpoint::Outside(parse_outside(ip)?)));
    }
    let inline: InlineWorkload =
        serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let ip = match inline.ip.as_deref() {
        Some(text) => Some(
            text.parse::<IpAddr>()
                .map_err(|_| format!("`{text}` is not an IP address"))?,
        ),
        None => None,
    };
    let namespace_labels = match resources.namespace(&inline.namespace) {
        Some(ns) => ns.metadata.labels.clone(),
        None => inline.namespace_labels.unwrap_or_default(),
    };
    let w = WorkloadEndpoint {
        namespace: inline.namespace,
        name: inline.name,
        labels: inline.labels,
        namespace_labels,
        service_account: inline.service_account,
        service_account_labels: Labels::new(),
        ip,
        ports_known: inline.ports.is_some(),
        ports: inline.ports.unwrap_or_default(),
    };
    Ok(ev.intern(&Endpoint::Workload(w)))
}

/// A command-line endpoint: `namespace/name` of a pod or workload, or an IP (or CIDR).
pub fn parse_endpoint_arg(ev: &mut Evaluator, text: &str) -> Result<EndpointId, String> {
    if let Some(id) = ev.workload(text) {
        return Ok(id);
    }
    match parse_outside(text) {
        Ok(net) => Ok(ev.intern(&Endpoint::Outside(net))),
        Err(_) => Err(format!(
            "`{text}` is neither a pod or workload of the resources (namespace/name) nor an IP address"
        )),
    }
}

fn parse_outside(text: &str) -> Result<IpNet, String> {
    parse_net(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_lines_accept_every_endpoint_form() {
        let rs: ResourceSet = serde_json::from_value(serde_json::json!({
            "workloads": [{"kind": "Pod", "metadata": {"name": "api", "namespace": "shop"}}],
            "namespaces": [{"metadata": {"name": "shop", "labels": {"team": "a"}}}]
        }))
        .expect("resources");
        let (mut ev, _) = Evaluator::build(&rs);
        let line = r#"{"src": {"ref": "shop/api"}, "dst": {"ip": "203.0.113.7"}, "protocol": "tcp", "port": 443}"#;
        let flow = parse_flow_line(&mut ev, &rs, line).expect("flow");
        assert_eq!(flow.protocol, Protocol::Tcp);
        assert_eq!(flow.port, Some(443));
        let line = r#"{"src": {"namespace": "shop", "labels": {"app": "x"}, "ip": "10.0.0.1"}, "dst": {"ip": "10.0.0.0/8"}, "protocol": 1, "port": 9}"#;
        let flow = parse_flow_line(&mut ev, &rs, line).expect("flow");
        assert_eq!(flow.port, None, "ICMP has no port");
        for bad in [
            r#"{"src": {"ref": "shop/nope"}, "dst": {"ip": "1.1.1.1"}, "protocol": "TCP"}"#,
            r#"{"src": {"ip": "x"}, "dst": {"ip": "1.1.1.1"}, "protocol": "TCP"}"#,
            "{}",
        ] {
            assert!(parse_flow_line(&mut ev, &rs, bad).is_err(), "{bad}");
        }
        assert!(parse_endpoint_arg(&mut ev, "shop/api").is_ok());
        assert!(parse_endpoint_arg(&mut ev, "8.8.8.8").is_ok());
        assert!(parse_endpoint_arg(&mut ev, "shop/nope").is_err());
    }
}
