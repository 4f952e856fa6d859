//! The CI recipe the export's README (and the project README) shows: a pull-request job that validates
//! the repository, lints it as SARIF, replays the team's flow logs against the base branch and the pull
//! request, and posts the per-environment diff summary. `cli/tests/ci_recipe.rs` runs its `netpol`
//! lines on the sample export, so the recipe cannot rot.

/// The GitHub Actions and GitLab CI jobs, as Markdown, for a repository whose production environment
/// is `env` (the one whose flow logs gate a pull request).
pub fn ci_recipe(env: &str) -> String {
    format!(
        r#"## CI: gate every pull request to the Fleet repository

Both jobs check out the base branch in `base/` and the change in `pr/`, install `netpol` (set
`NETPOL_STUDIO_GIT` to the Git URL of Netpol Studio, or put a built `netpol` on the runner), and
expect the team's flow logs of `{env}` at `flows/{env}.jsonl.gz` in the repository (any supported
format, gzipped or not: exported from Calico Enterprise/Cloud, Whisker/Goldmane or Hubble; or fetch them
there in a step of your own). Fleet does not deploy them: they lie outside every GitRepo path. `validate` and `lint` fail the job on errors, `impact --fail-on broken` when the change
denies a flow the logs saw allowed in `{env}`; the summary of every environment is posted either way.

GitHub Actions (`.github/workflows/network-policies.yml`):

```yaml
name: network-policies
on:
  pull_request:
jobs:
  netpol:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
      security-events: write
    steps:
      - uses: actions/checkout@v4
        with:
          path: pr
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ github.base_ref }}}}
          path: base
      - run: cargo install --locked --git "$NETPOL_STUDIO_GIT" netpol-cli
        env:
          NETPOL_STUDIO_GIT: ${{{{ vars.NETPOL_STUDIO_GIT }}}}
      - run: netpol validate pr/
      - run: netpol lint pr/ --format sarif > netpol.sarif
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with:
          sarif_file: netpol.sarif
      - run: netpol diff base/ pr/ > summary.md
        if: always()
      - run: netpol impact --before base/ --after pr/ --env {env} --flows pr/flows/{env}.jsonl.gz --format markdown > impact.md
        if: always()
      - run: cat impact.md >> summary.md; gh pr comment "$PR" --repo "$GITHUB_REPOSITORY" --body-file summary.md
        if: always()
        env:
          GH_TOKEN: ${{{{ github.token }}}}
          PR: ${{{{ github.event.pull_request.number }}}}
      - run: netpol impact --before base/ --after pr/ --env {env} --flows pr/flows/{env}.jsonl.gz --fail-on broken
```

GitLab CI (`.gitlab-ci.yml`; `NETPOL_BOT_TOKEN` is a project access token allowed to comment):

```yaml
network-policies:
  image: rust:1
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - cargo install --locked --git "$NETPOL_STUDIO_GIT" netpol-cli
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - git worktree add base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - git worktree add pr HEAD
    - netpol validate pr/
    - netpol lint pr/ --format sarif > netpol.sarif
    - netpol diff base/ pr/ > summary.md
    - netpol impact --before base/ --after pr/ --env {env} --flows pr/flows/{env}.jsonl.gz --format markdown > impact.md || true
    - cat impact.md >> summary.md
    - >-
      curl --fail --request POST --header "PRIVATE-TOKEN: $NETPOL_BOT_TOKEN"
      --data-urlencode "body@summary.md"
      "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
    - netpol impact --before base/ --after pr/ --env {env} --flows pr/flows/{env}.jsonl.gz --fail-on broken
  artifacts:
    when: always
    paths: [netpol.sarif, summary.md]
```

The next change can start from this repository: `netpol export pr/ --out pr/` after a hand edit writes
it again as the design would (warnings say what a design cannot hold).
"#
    )
}
