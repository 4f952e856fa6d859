#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

//! Validation parity (`core/src/yaml/parity.rs`): every row of the table is a policy the Kubernetes
//! API server or Calico's validator rejects — `netpol validate` must reject it too, at the offending
//! key or value — and a near miss they accept, which must import without errors. The source of each
//! row is cited beside it (kubernetes `pkg/apis/networking/validation/validation.go`, apimachinery
//! `pkg/apis/meta/v1/validation`, Calico `libcalico-go/lib/validator/v3/validator.go` and the CRD's
//! CEL rules in `api/pkg/apis/projectcalico/v3`).

use netpol_core::design;

struct Row {
    id: &'static str,
    source: &'static str,
    bad: String,
    /// The text the error's line:column points at.
    at: &'static str,
    /// A fragment of the error message.
    says: &'static str,
    good: String,
}

/// A Kubernetes NetworkPolicy `shop/p` with `spec` written below `spec:` (indented by the caller).
fn knp(spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n{spec}"
    )
}

/// A KNP with one ingress rule whose `ports` list is `ports`.
fn knp_port(port: &str) -> String {
    knp(&format!("  ingress:\n  - ports:\n    - {port}\n"))
}

/// A KNP with one ingress rule whose only peer is `peer`.
fn knp_peer(peer: &str) -> String {
    knp(&format!("  ingress:\n  - from:\n    - {peer}\n"))
}

/// A KNP whose podSelector is `selector`.
fn knp_selector(selector: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {selector}\n"
    )
}

/// A Calico policy of `kind` named `name` with `spec` lines below `spec:`.
fn calico(kind: &str, name: &str, spec: &str) -> String {
    let namespace = if kind.starts_with("Global") {
        String::new()
    } else {
        ", namespace: shop".to_owned()
    };
    format!(
        "apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata: {{name: {name}{namespace}}}\nspec:\n  selector: all()\n{spec}"
    )
}

/// A GlobalNetworkPolicy with one rule in `direction`.
fn gnp_rule(direction: &str, rule: &str) -> String {
    calico(
        "GlobalNetworkPolicy",
        "p",
        &format!("  {direction}:\n  - {rule}\n"),
    )
}

/// A namespaced Calico NetworkPolicy with one rule in `direction`.
fn np_rule(direction: &str, rule: &str) -> String {
    calico(
        "NetworkPolicy",
        "p",
        &format!("  {direction}:\n  - {rule}\n"),
    )
}

fn row(
    id: &'static str,
    source: &'static str,
    bad: String,
    at: &'static str,
    says: &'static str,
    good: String,
) -> Row {
    Row {
        id,
        source,
        bad,
        at,
        says,
        good,
    }
}

fn table() -> Vec<Row> {
    const K: &str = "kubernetes pkg/apis/networking/validation/validation.go";
    const KM: &str = "apimachinery pkg/apis/meta/v1/validation/validation.go";
    const CV: &str = "calico libcalico-go/lib/validator/v3/validator.go";
    const CEL: &str = "calico api/pkg/apis/projectcalico/v3/policy_common.go (CEL)";
    const CELG: &str = "calico api/pkg/apis/projectcalico/v3/globalnetworkpolicy.go (CEL)";
    vec![
        // ValidateNetworkPolicyPort: protocol must be TCP, UDP or SCTP.
        row(
            "K1",
            K,
            knp_port("{protocol: ICMP, port: 80}"),
            "ICMP",
            "`TCP`, `UDP` and `SCTP`",
            knp_port("{protocol: UDP, port: 80}"),
        ),
        // ValidateNetworkPolicyPort: IsValidPortNum(port).
        row(
            "K2",
            K,
            knp_port("{port: 0}"),
            "0}",
            "1-65535",
            knp_port("{port: 1}"),
        ),
        // ValidateNetworkPolicyPort: IsValidPortNum(endPort).
        row(
            "K2e",
            K,
            knp_port("{port: 1, endPort: 0}"),
            "0}",
            "1-65535",
            knp_port("{port: 1, endPort: 2}"),
        ),
        // ValidateNetworkPolicyPort: "must be greater than or equal to `port`".
        row(
            "K3",
            K,
            knp_port("{port: 90, endPort: 80}"),
            "80}",
            "greater than or equal to `port`",
            knp_port("{port: 80, endPort: 90}"),
        ),
        // ValidateNetworkPolicyPort: "may not be specified when `port` is non-numeric".
        row(
            "K4",
            K,
            knp_port("{port: http, endPort: 80}"),
            "80}",
            "named `port`",
            knp_port("{port: http}"),
        ),
        // ValidateNetworkPolicyPort: "may not be specified when `port` is not specified".
        row(
            "K5",
            K,
            knp_port("{endPort: 80}"),
            "80}",
            "needs a `port`",
            knp_port("{port: 80}"),
        ),
        // ValidateNetworkPolicyPort: IsValidPortName.
        row(
            "K6",
            K,
            knp_port("{port: Http_1}"),
            "Http_1",
            "not a valid port name",
            knp_port("{port: http-1}"),
        ),
        row(
            "K6n",
            K,
            knp_port("{port: \"8080\"}"),
            "\"8080\"",
            "at least one letter",
            knp_port("{port: 8080}"),
        ),
        // ValidateNetworkPolicyPeer: "must specify a peer".
        row(
            "K7",
            K,
            knp_peer("{}"),
            "{}",
            "is empty",
            knp_peer("{podSelector: {}}"),
        ),
        // ValidateNetworkPolicyPeer: "may not specify both ipBlock and another peer".
        row(
            "K8",
            K,
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}"),
            "{cidr",
            "combines `ipBlock`",
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8}}"),
        ),
        // ValidateIPBlock: except "must be a strict subset of `cidr`".
        row(
            "K9",
            K,
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}"),
            "192.168.0.0/16",
            "strict subset",
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}"),
        ),
        row(
            "K9s",
            K,
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}"),
            "10.0.0.0/8]",
            "strict subset",
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9]}}"),
        ),
        // ValidateIPBlock: IsValidCIDRForLegacyField(except) wants a CIDR, not an address.
        row(
            "K9a",
            K,
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.2.3]}}"),
            "10.1.2.3]",
            "wants a CIDR",
            knp_peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.2.3/32]}}"),
        ),
        // ValidateIPBlock: IsValidCIDRForLegacyField(cidr) (checked where decoded).
        row(
            "K9c",
            K,
            knp_peer("{ipBlock: {cidr: 10.0.0.0/33}}"),
            "10.0.0.0/33",
            "not a CIDR",
            knp_peer("{ipBlock: {cidr: 10.0.0.0/32}}"),
        ),
        // ValidateNetworkPolicySpec: "may not specify more than two policyTypes".
        row(
            "K10",
            K,
            knp("  policyTypes: [Ingress, Egress, Ingress]\n"),
            "[Ingress",
            "more than two",
            knp("  policyTypes: [Ingress, Egress]\n"),
        ),
        // ValidateNetworkPolicySpec: policyTypes values (checked where decoded).
        row(
            "K10v",
            K,
            knp("  policyTypes: [Both]\n"),
            "[Both]",
            "`Ingress` or `Egress`",
            knp("  policyTypes: [Egress]\n"),
        ),
        // ValidateLabelSelector → ValidateLabels: IsQualifiedName(key).
        row(
            "K11",
            KM,
            knp_selector("{matchLabels: {\"a b\": x}}"),
            "\"a b\"",
            "not a valid label key",
            knp_selector("{matchLabels: {a-b: x}}"),
        ),
        // ValidateLabelSelector → ValidateLabels: IsValidLabelValue(value).
        row(
            "K11v",
            KM,
            knp_selector("{matchLabels: {app: \"-x\"}}"),
            "\"-x\"",
            "not a valid label value",
            knp_selector("{matchLabels: {app: x}}"),
        ),
        // ValidateLabelSelectorRequirement: In/NotIn need values.
        row(
            "K12",
            KM,
            knp_selector("{matchExpressions: [{key: app, operator: In}]}"),
            "{key",
            "without `values`",
            knp_selector("{matchExpressions: [{key: app, operator: In, values: [x]}]}"),
        ),
        // ValidateLabelSelectorRequirement: Exists/DoesNotExist take no values.
        row(
            "K12e",
            KM,
            knp_selector("{matchExpressions: [{key: app, operator: Exists, values: [x]}]}"),
            "[x]",
            "may not list any",
            knp_selector("{matchExpressions: [{key: app, operator: Exists}]}"),
        ),
        // ValidateObjectMeta → ValidateNetworkPolicyName: NameIsDNSSubdomain (checked where decoded).
        row(
            "K13",
            K,
            knp("").replace("name: p,", "name: Web,"),
            "Web",
            "names must be lowercase",
            knp(""),
        ),
        // The registry refuses a second object with the same name (AlreadyExists).
        row(
            "K14",
            "kubernetes apiserver registry (AlreadyExists)",
            format!("{}---\n{}", knp(""), knp("")),
            "",
            "defined twice",
            format!(
                "{}---\n{}",
                knp(""),
                knp("").replace("name: p,", "name: q,")
            ),
        ),
        // validateGlobalNetworkPolicySpec: "'<type>' type specified more than once".
        row(
            "C1",
            CV,
            calico("GlobalNetworkPolicy", "p", "  types: [Ingress, Ingress]\n"),
            "Ingress]",
            "more than once",
            calico("GlobalNetworkPolicy", "p", "  types: [Ingress, Egress]\n"),
        ),
        // validateRule: protocolSingleOrRangePortsMsg (named ports need no protocol).
        row(
            "C2",
            CV,
            gnp_rule("ingress", "{action: Allow, destination: {ports: [80]}}"),
            "80]",
            "numeric port",
            gnp_rule("ingress", "{action: Allow, destination: {ports: [http]}}"),
        ),
        // validateRule: protocolPortsMsg.
        row(
            "C3",
            CV,
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: ICMP, destination: {ports: [http]}}",
            ),
            "http",
            "must set `protocol` to TCP, UDP or SCTP",
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: SCTP, destination: {ports: [http]}}",
            ),
        ),
        // validatePort: "port number must be between 1 and 65535".
        row(
            "C4",
            CV,
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: TCP, destination: {ports: [0]}}",
            ),
            "0]",
            "1-65535",
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: TCP, destination: {ports: [1]}}",
            ),
        ),
        row(
            "C4r",
            CV,
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: TCP, destination: {ports: [\"0:10\"]}}",
            ),
            "\"0:10\"",
            "1-65535",
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: TCP, destination: {ports: [\"1:10\"]}}",
            ),
        ),
        // validatePort: "port range invalid" (checked where decoded).
        row(
            "C4o",
            CV,
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: TCP, destination: {ports: [\"90:80\"]}}",
            ),
            "\"90:80\"",
            "range start is above its end",
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: TCP, destination: {ports: [\"80:90\"]}}",
            ),
        ),
        // validateProtocol: "protocol number invalid" (checked where decoded).
        row(
            "C4p",
            CV,
            gnp_rule("ingress", "{action: Allow, protocol: 0}"),
            "0}",
            "not a protocol",
            gnp_rule("ingress", "{action: Allow, protocol: 255}"),
        ),
        // CEL on Rule: "ICMP fields require protocol to be ICMP or ICMPv6".
        row(
            "C5",
            CEL,
            gnp_rule("ingress", "{action: Allow, protocol: TCP, icmp: {type: 8}}"),
            "{type",
            "needs `protocol` ICMP",
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: ICMP, icmp: {type: 8}}",
            ),
        ),
        // ICMPFields: type Maximum=254.
        row(
            "C6",
            CEL,
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: ICMP, icmp: {type: 255}}",
            ),
            "255",
            "0-254",
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: ICMP, icmp: {type: 254}}",
            ),
        ),
        // ICMPFields CEL: "ICMP code specified without an ICMP type".
        row(
            "C6c",
            CEL,
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: ICMPv6, notICMP: {code: 1}}",
            ),
            "1}",
            "without a `type`",
            gnp_rule(
                "ingress",
                "{action: Allow, protocol: ICMPv6, notICMP: {type: 1, code: 1}}",
            ),
        ),
        // CEL on Rule: "protocol ICMP requires ipVersion 4".
        row(
            "C7",
            CEL,
            gnp_rule("ingress", "{action: Allow, protocol: ICMP, ipVersion: 6}"),
            "ICMP",
            "requires `ipVersion: 4`",
            gnp_rule("ingress", "{action: Allow, protocol: ICMP, ipVersion: 4}"),
        ),
        // CEL on Rule: "protocol ICMPv6 requires ipVersion 6" (notProtocol too).
        row(
            "C7n",
            CEL,
            gnp_rule(
                "ingress",
                "{action: Allow, notProtocol: ICMPv6, ipVersion: 4}",
            ),
            "ICMPv6",
            "requires `ipVersion: 6`",
            gnp_rule(
                "ingress",
                "{action: Allow, notProtocol: ICMPv6, ipVersion: 6}",
            ),
        ),
        // validateRule scanNets: "rule contains both IPv4 and IPv6 CIDRs".
        row(
            "C8",
            CV,
            gnp_rule(
                "ingress",
                "{action: Allow, source: {nets: [10.0.0.0/8]}, destination: {nets: [\"fd00::/8\"]}}",
            ),
            "[\"fd00",
            "mixes IPv4 and IPv6",
            gnp_rule(
                "ingress",
                "{action: Allow, source: {nets: [10.0.0.0/8]}, destination: {nets: [192.168.0.0/16]}}",
            ),
        ),
        // validateRule scanNets: "rule IP version doesn't match CIDR version".
        row(
            "C8v",
            CV,
            gnp_rule(
                "ingress",
                "{action: Allow, ipVersion: 6, source: {nets: [10.0.0.0/8]}}",
            ),
            "10.0.0.0/8",
            "not of the rule's `ipVersion`",
            gnp_rule(
                "ingress",
                "{action: Allow, ipVersion: 4, source: {nets: [10.0.0.0/8]}}",
            ),
        ),
        // validateRule scanNets: "catch-all CIDR in negation creates logical contradiction".
        row(
            "C9",
            CV,
            gnp_rule(
                "egress",
                "{action: Allow, destination: {notNets: [0.0.0.0/0]}}",
            ),
            "0.0.0.0/0",
            "catch-all",
            gnp_rule(
                "egress",
                "{action: Allow, destination: {notNets: [10.0.0.0/8]}}",
            ),
        ),
        // validateIPNetwork (`net` tag on nets/notNets): strictly masked.
        row(
            "C10",
            CV,
            gnp_rule(
                "egress",
                "{action: Allow, destination: {nets: [10.0.0.1/8]}}",
            ),
            "10.0.0.1/8",
            "host bits",
            gnp_rule("egress", "{action: Allow, destination: {nets: [10.0.0.1]}}"),
        ),
        // validateCIDRs / `net`: CIDR syntax (checked where decoded).
        row(
            "C10s",
            CV,
            gnp_rule(
                "egress",
                "{action: Allow, destination: {nets: [10.0.0.0/33]}}",
            ),
            "10.0.0.0/33",
            "not a CIDR",
            gnp_rule(
                "egress",
                "{action: Allow, destination: {nets: [10.0.0.0/32]}}",
            ),
        ),
        // CEL on EntityRule: "cannot specify Selector/NotSelector and Services on the same rule".
        row(
            "C11",
            CEL,
            np_rule(
                "ingress",
                "{action: Allow, source: {services: {name: api}, selector: \"app == 'x'\"}}",
            ),
            "{name",
            "cannot be combined with `source.selector`",
            np_rule(
                "ingress",
                "{action: Allow, source: {services: {name: api}}}",
            ),
        ),
        // CEL on Rule: "ports and notPorts cannot be specified with services".
        row(
            "C11p",
            CEL,
            np_rule(
                "egress",
                "{action: Allow, protocol: TCP, destination: {services: {name: api}, ports: [80]}}",
            ),
            "{name",
            "cannot be combined with `destination.ports`",
            np_rule(
                "egress",
                "{action: Allow, protocol: TCP, destination: {services: {name: api}}}",
            ),
        ),
        // CEL on EntityRule: "services must specify a service name".
        row(
            "C11n",
            CEL,
            np_rule(
                "egress",
                "{action: Allow, destination: {services: {name: \"\"}}}",
            ),
            "{name",
            "must name a service",
            np_rule(
                "egress",
                "{action: Allow, destination: {services: {name: api}}}",
            ),
        ),
        // validateNetworkPolicySpec: services "not allowed in egress rule source".
        row(
            "C12",
            CV,
            np_rule("egress", "{action: Allow, source: {services: {name: api}}}"),
            "{name",
            "not allowed in an egress rule's source",
            np_rule(
                "ingress",
                "{action: Allow, source: {services: {name: api}}}",
            ),
        ),
        // validateGlobalNetworkPolicySpec: a service needs a namespace in a global policy.
        row(
            "C12g",
            CV,
            gnp_rule(
                "ingress",
                "{action: Allow, source: {services: {name: api}}}",
            ),
            "{name",
            "must give a `namespace`",
            gnp_rule(
                "ingress",
                "{action: Allow, source: {services: {name: api, namespace: shop}}}",
            ),
        ),
        // CEL on Rule: "HTTP match is only valid on Allow rules".
        row(
            "C13",
            CEL,
            np_rule("ingress", "{action: Deny, http: {methods: [GET]}}"),
            "{methods",
            "only valid on Allow",
            np_rule("ingress", "{action: Allow, http: {methods: [GET]}}"),
        ),
        // CEL on Rule: "rules with HTTP match must have protocol TCP or unset".
        row(
            "C13p",
            CEL,
            np_rule(
                "ingress",
                "{action: Allow, protocol: UDP, http: {methods: [GET]}}",
            ),
            "{methods",
            "protocol TCP or none",
            np_rule(
                "ingress",
                "{action: Allow, protocol: TCP, http: {methods: [GET]}}",
            ),
        ),
        // validateNetworkPolicySpec: ruleUsesAppLayerPolicy "not allowed in egress rule".
        row(
            "C13e",
            CV,
            np_rule("egress", "{action: Allow, http: {methods: [GET]}}"),
            "{methods",
            "not allowed in egress rules",
            np_rule("ingress", "{action: Allow, http: {methods: [GET]}}"),
        ),
        // CEL on GlobalNetworkPolicySpec: "preDNAT and doNotTrack cannot both be true".
        row(
            "C14",
            CELG,
            calico(
                "GlobalNetworkPolicy",
                "p",
                "  preDNAT: true\n  doNotTrack: true\n  applyOnForward: true\n",
            ),
            "true\n  doNotTrack",
            "cannot both be true",
            calico(
                "GlobalNetworkPolicy",
                "p",
                "  preDNAT: true\n  applyOnForward: true\n",
            ),
        ),
        // CEL: "preDNAT policy cannot have any egress rules".
        row(
            "C14e",
            CELG,
            calico(
                "GlobalNetworkPolicy",
                "p",
                "  preDNAT: true\n  applyOnForward: true\n  egress:\n  - action: Deny\n",
            ),
            "action: Deny",
            "cannot have egress rules",
            calico(
                "GlobalNetworkPolicy",
                "p",
                "  preDNAT: true\n  applyOnForward: true\n  ingress:\n  - action: Deny\n",
            ),
        ),
        // CEL: "preDNAT policy cannot have 'Egress' type".
        row(
            "C14t",
            CELG,
            calico(
                "GlobalNetworkPolicy",
                "p",
                "  preDNAT: true\n  applyOnForward: true\n  types: [Egress]\n",
            ),
            "[Egress]",
            "cannot have the `Egress` type",
            calico(
                "GlobalNetworkPolicy",
                "p",
                "  preDNAT: true\n  applyOnForward: true\n  types: [Ingress]\n",
            ),
        ),
        // CEL: "applyOnForward must be true if either preDNAT or doNotTrack is true".
        row(
            "C14f",
            CELG,
            calico("GlobalNetworkPolicy", "p", "  doNotTrack: true\n"),
            "true",
            "`spec.applyOnForward` must be true",
            calico(
                "GlobalNetworkPolicy",
                "p",
                "  doNotTrack: true\n  applyOnForward: true\n",
            ),
        ),
        // globalNetworkPolicyNameRegex: `^(label\.)?label$`.
        row(
            "C15",
            CV,
            calico("GlobalNetworkPolicy", "a.b.c", ""),
            "a.b.c",
            "more than one `.`",
            calico(
                "GlobalNetworkPolicy",
                "security.allow",
                "  tier: security\n",
            ),
        ),
        // networkPolicyNameRegex: `knp.default.<subdomain>` is allowed for namespaced policies.
        row(
            "C15n",
            CV,
            calico("NetworkPolicy", "x.y.z", ""),
            "x.y.z",
            "more than one `.`",
            calico("NetworkPolicy", "knp.default.x.y", ""),
        ),
        // validateSelector (checked where decoded).
        row(
            "C16",
            CV,
            calico("GlobalNetworkPolicy", "p", "").replace("all()", "app == 'x' && )"),
            ")",
            "invalid selector",
            calico("GlobalNetworkPolicy", "p", "").replace("all()", "app == 'x'"),
        ),
        // The registry refuses a second object; `default.p` and `p` are one Calico object.
        row(
            "C17",
            "kubernetes apiserver registry (AlreadyExists)",
            format!(
                "{}---\n{}",
                calico("GlobalNetworkPolicy", "p", ""),
                calico("GlobalNetworkPolicy", "default.p", "")
            ),
            "",
            "defined twice",
            format!(
                "{}---\n{}",
                calico("GlobalNetworkPolicy", "p", ""),
                calico("NetworkPolicy", "p", "")
            ),
        ),
    ]
}

/// Error diagnostics of an import, duplicates included, as `(line, column, line text, message)`.
fn errors(text: &str) -> Vec<(usize, usize, String, String)> {
    let input = design::import("row.yaml", text);
    let mut all = input.diagnostics.clone();
    all.extend(input.duplicate_objects());
    all.into_iter()
        .filter(|d| d.is_error())
        .map(|d| (d.line, d.column, d.line_text.clone(), d.message))
        .collect()
}

#[test]
fn every_row_rejects_its_bad_case_where_it_is_and_accepts_its_near_miss() {
    let rows = table();
    assert!(rows.len() >= 50, "{} rows", rows.len());
    for r in &rows {
        let found = errors(&r.bad);
        let hit = found.iter().find(|(line, column, line_text, message)| {
            let placed = r.at.is_empty() && *line > 0
                || line_text
                    .chars()
                    .skip(column.saturating_sub(1))
                    .collect::<String>()
                    .starts_with(r.at.split('\n').next().unwrap_or_default());
            message.contains(r.says) && placed
        });
        assert!(
            hit.is_some(),
            "{} ({}): the bad case should be rejected at `{}` with “{}”; got {found:#?}\n{}",
            r.id,
            r.source,
            r.at,
            r.says,
            r.bad
        );
        let near = errors(&r.good);
        assert!(
            near.is_empty(),
            "{} ({}): the near miss should be accepted; got {near:#?}\n{}",
            r.id,
            r.source,
            r.good
        );
    }
}
