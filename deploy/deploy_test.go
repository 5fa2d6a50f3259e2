// Package deploy_test checks the deployment files in this folder: that the
// Kubernetes manifests parse into the Kubernetes API types and pass Pod
// Security "restricted", that the alert rules fire as their tests say, that
// the systemd unit's sandbox scores well, and that the release
// configuration and example configurations are what the code reads. The
// folder holds no other Go code.
package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/sheetaudit/sheetaudit/config"
)

// object is one parsed manifest.
type object struct {
	file string
	kind string
	obj  any
}

// The Prometheus Operator's kinds, with the fields used here; unknown
// fields are errors, as for the Kubernetes types.
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval"`
		} `json:"endpoints"`
	} `json:"spec"`
}

type ruleGroups struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			For         string            `json:"for,omitempty"`
			Labels      map[string]string `json:"labels,omitempty"`
			Annotations map[string]string `json:"annotations,omitempty"`
		} `json:"rules"`
	} `json:"groups"`
}

type prometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ruleGroups `json:"spec"`
}

// parse decodes a stream of YAML documents strictly into their types.
func parse(t *testing.T, file string, data []byte) []object {
	t.Helper()
	var out []object
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var tm metav1.TypeMeta
		if err := sigsyaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("%s, document %d: %v", file, i+1, err)
		}
		var obj any
		switch tm.APIVersion + "/" + tm.Kind {
		case "v1/ServiceAccount":
			obj = &corev1.ServiceAccount{}
		case "v1/ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1/Service":
			obj = &corev1.Service{}
		case "apps/v1/Deployment":
			obj = &appsv1.Deployment{}
		case "batch/v1/CronJob":
			obj = &batchv1.CronJob{}
		case "monitoring.coreos.com/v1/ServiceMonitor":
			obj = &serviceMonitor{}
		case "monitoring.coreos.com/v1/PrometheusRule":
			obj = &prometheusRule{}
		default:
			t.Fatalf("%s, document %d: unexpected %s %s", file, i+1, tm.APIVersion, tm.Kind)
		}
		if err := sigsyaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("%s, document %d (%s): %v", file, i+1, tm.Kind, err)
		}
		out = append(out, object{file: file, kind: tm.Kind, obj: obj})
	}
	return out
}

// manifests parses every manifest file (kustomizations and patches aside)
// and, when kubectl is installed, every overlay as kustomize renders it.
func manifests(t *testing.T) []object {
	t.Helper()
	var out []object
	err := filepath.WalkDir("kubernetes", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" || d.Name() == "kustomization.yaml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, parse(t, path, data)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rendered(t *testing.T, overlay string) []object {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl not installed: overlays not rendered (the files are checked one by one)")
	}
	dir := filepath.Join("kubernetes", "overlays", overlay)
	out, err := exec.Command(kubectl, "kustomize", dir).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return parse(t, dir+" (rendered)", out)
}

// podSpecs returns the pod templates of the workloads among objs.
func podSpecs(objs []object) map[string]*corev1.PodTemplateSpec {
	pods := map[string]*corev1.PodTemplateSpec{}
	for _, o := range objs {
		switch w := o.obj.(type) {
		case *appsv1.Deployment:
			pods[o.file+": Deployment "+w.Name] = &w.Spec.Template
		case *batchv1.CronJob:
			pods[o.file+": CronJob "+w.Name] = &w.Spec.JobTemplate.Spec.Template
		}
	}
	return pods
}

// checkPod applies Pod Security "restricted" (the admission controller's
// own checks, latest version) and what sheetaudit needs on top.
func checkPod(t *testing.T, name string, pod *corev1.PodTemplateSpec) {
	t.Helper()
	eval, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		t.Fatal(err)
	}
	lv := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
	for _, r := range eval.EvaluatePod(lv, &pod.ObjectMeta, &pod.Spec) {
		if !r.Allowed {
			t.Errorf("%s: Pod Security restricted forbids it: %s: %s", name, r.ForbiddenReason, r.ForbiddenDetail)
		}
	}
	spec := pod.Spec
	if spec.ServiceAccountName == "" {
		t.Errorf("%s: no serviceAccountName", name)
	}
	if sc := spec.SecurityContext; sc == nil || sc.RunAsUser == nil || *sc.RunAsUser == 0 || sc.RunAsGroup == nil {
		t.Errorf("%s: the pod needs a numeric, non-root runAsUser and runAsGroup", name)
	}
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("%s, container %s: readOnlyRootFilesystem is not true", name, c.Name)
		}
		env := map[string]corev1.EnvVar{}
		for _, e := range c.Env {
			env[e.Name] = e
		}
		if e := env["GOMEMLIMIT"]; e.ValueFrom == nil || e.ValueFrom.ResourceFieldRef == nil || e.ValueFrom.ResourceFieldRef.Resource != "limits.memory" {
			t.Errorf("%s, container %s: GOMEMLIMIT does not come from limits.memory", name, c.Name)
		}
		if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
			t.Errorf("%s, container %s: no memory limit for GOMEMLIMIT", name, c.Name)
		}
		if e := env["SHEETAUDIT_INSTANCE"]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil {
			t.Errorf("%s, container %s: SHEETAUDIT_INSTANCE should name the pod, for the lease holder", name, c.Name)
		}
	}
}

func TestManifests(t *testing.T) {
	objs := manifests(t)
	pods := podSpecs(objs)
	if len(pods) != 2 {
		t.Fatalf("found %d workloads, want the Deployment and the CronJob", len(pods))
	}
	for name, pod := range pods {
		checkPod(t, name, pod)
	}
	for _, o := range objs {
		if d, ok := o.obj.(*appsv1.Deployment); ok && (d.Spec.Replicas == nil || *d.Spec.Replicas < 2) {
			t.Errorf("%s: the Deployment should run 2 replicas sharing the work", o.file)
		}
	}
}

func TestOverlays(t *testing.T) {
	for _, overlay := range []string{"gcs", "s3", "cronjob"} {
		t.Run(overlay, func(t *testing.T) {
			objs := rendered(t, overlay)
			pods := podSpecs(objs)
			if len(pods) != 1 {
				t.Fatalf("%d workloads, want one", len(pods))
			}
			for name, pod := range pods {
				checkPod(t, name, pod)
			}
			var sa *corev1.ServiceAccount
			for _, o := range objs {
				if s, ok := o.obj.(*corev1.ServiceAccount); ok {
					sa = s
				}
			}
			want := map[string]string{"gcs": "iam.gke.io/gcp-service-account", "s3": "eks.amazonaws.com/role-arn"}[overlay]
			if sa == nil || (want != "" && sa.Annotations[want] == "") {
				t.Errorf("service account %+v lacks the %s annotation", sa, want)
			}
		})
	}
}

// TestConfigMapConfig loads the configuration the manifests ship, as the
// pod would see it.
func TestConfigMapConfig(t *testing.T) {
	for _, o := range manifests(t) {
		cm, ok := o.obj.(*corev1.ConfigMap)
		if !ok || cm.Data["sheetaudit.yaml"] == "" {
			continue
		}
		env := map[string]string{"SHEETAUDIT_STORE": "gs://bucket/sheetaudit"}
		if _, err := config.Parse([]byte(cm.Data["sheetaudit.yaml"]), o.file, func(k string) string { return env[k] }); err != nil {
			t.Errorf("%s: %v", o.file, err)
		}
	}
	env := map[string]string{"STATE_DIRECTORY": "/var/lib/sheetaudit", "CREDENTIALS_DIRECTORY": "/run/credentials/sheetaudit.service"}
	cfg, err := config.Load(filepath.Join("systemd", "sheetaudit.yaml"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store != "/var/lib/sheetaudit/store" {
		t.Errorf("systemd example store = %q, want it under the state directory", cfg.Store)
	}
}

// TestAlertRules checks that the PrometheusRule carries the rule file's
// groups, and runs promtool's rule tests when promtool is installed.
func TestAlertRules(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("prometheus", "sheetaudit.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var file ruleGroups
	if err := sigsyaml.UnmarshalStrict(data, &file); err != nil {
		t.Fatalf("sheetaudit.rules.yml: %v", err)
	}
	var alerts []string
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			if strings.TrimSpace(r.Expr) == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s: empty expression or summary", r.Alert)
			}
		}
	}
	want := []string{"SheetAuditNeverSucceeded", "SheetAuditCyclesFailing", "SheetAuditLastSuccessStale", "SheetAuditReportFailing"}
	if diff := cmp.Diff(want, alerts); diff != "" {
		t.Errorf("alerts mismatch (-want +got):\n%s", diff)
	}
	found := false
	for _, o := range manifests(t) {
		if pr, ok := o.obj.(*prometheusRule); ok {
			found = true
			if diff := cmp.Diff(file, pr.Spec); diff != "" {
				t.Errorf("%s differs from prometheus/sheetaudit.rules.yml (-file +rule):\n%s", o.file, diff)
			}
		}
	}
	if !found {
		t.Error("no PrometheusRule among the manifests")
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed (Debian package prometheus): the rules were parsed, not evaluated")
		return
	}
	for _, args := range [][]string{{"check", "rules", "sheetaudit.rules.yml"}, {"test", "rules", "sheetaudit.rules.test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestMetricNames: every sheetaudit metric the rules and the dashboard use
// is one the daemon exports (daemon/METRICS.md lists them).
func TestMetricNames(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "daemon", "METRICS.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`sheetaudit_[a-z_]+`)
	known := map[string]bool{}
	for _, m := range re.FindAllString(string(doc), -1) {
		known[m] = true
	}
	dash, err := os.ReadFile(filepath.Join("kubernetes", "base", "sheetaudit-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(dash, &d); err != nil || len(d.Panels) == 0 {
		t.Fatalf("dashboard: %v (%d panels)", err, len(d.Panels))
	}
	rules, err := os.ReadFile(filepath.Join("prometheus", "sheetaudit.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range re.FindAllString(string(dash)+string(rules), -1) {
		m = strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_")
		if !known[m] {
			t.Errorf("%s is used by the dashboard or the rules but not in daemon/METRICS.md", m)
		}
	}
}

// TestSystemdUnit checks the unit's settings and, with systemd-analyze,
// its sandbox's exposure score.
func TestSystemdUnit(t *testing.T) {
	unit := filepath.Join("systemd", "sheetaudit.service")
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=sheetaudit", "Restart=on-failure", "StartLimitBurst=", "StartLimitIntervalSec="} {
		if !bytes.Contains(data, []byte("\n"+want)) {
			t.Errorf("%s lacks %s", unit, want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: the exposure score was not measured")
	}
	out, err := exec.Command(analyze, "security", "--offline=yes", unit).CombinedOutput()
	if err != nil {
		t.Skipf("systemd-analyze security --offline=yes: %v (systemd older than 252?)\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	score, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil || score > 2.0 {
		t.Errorf("exposure level %s, want at most 2.0:\n%s", m[1], out)
	}
}

// TestDockerfileUser: the image's user is numeric and the one the pods run as.
func TestDockerfileUser(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^USER (\S+)$`).FindSubmatch(data)
	if m == nil || string(m[1]) != "65532:65532" {
		t.Errorf("Dockerfile USER = %q, want 65532:65532 (numeric, as the pods' runAsUser)", m)
	}
}

// TestReleaseConfig parses the GoReleaser configuration: packages, both
// architectures, checksums.
func TestReleaseConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Goarch  []string `yaml:"goarch"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Checksum struct {
			Algorithm string `yaml:"algorithm"`
		} `yaml:"checksum"`
		Nfpms []struct {
			Formats  []string `yaml:"formats"`
			Contents []struct {
				Src string `yaml:"src"`
			} `yaml:"contents"`
			Scripts map[string]string `yaml:"scripts"`
		} `yaml:"nfpms"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || len(c.Builds) != 1 || c.Builds[0].Main != "./cmd/sheetaudit" {
		t.Fatalf("builds = %+v", c.Builds)
	}
	if !slices.Contains(c.Builds[0].Goarch, "amd64") || !slices.Contains(c.Builds[0].Goarch, "arm64") {
		t.Errorf("goarch = %v, want amd64 and arm64", c.Builds[0].Goarch)
	}
	if l := strings.Join(c.Builds[0].Ldflags, " "); !strings.Contains(l, "main.commit=") || !strings.Contains(l, "main.date=") {
		t.Errorf("ldflags %q do not set the commit and date that sheetaudit version prints", l)
	}
	if c.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum algorithm %q", c.Checksum.Algorithm)
	}
	if len(c.Nfpms) != 1 || !slices.Equal(c.Nfpms[0].Formats, []string{"deb", "rpm"}) {
		t.Fatalf("nfpms = %+v, want deb and rpm", c.Nfpms)
	}
	for _, f := range c.Nfpms[0].Contents {
		if _, err := os.Stat(filepath.Join("..", f.Src)); err != nil {
			t.Errorf("package content: %v", err)
		}
	}
	for _, f := range c.Nfpms[0].Scripts {
		if _, err := os.Stat(filepath.Join("..", f)); err != nil {
			t.Errorf("package script: %v", err)
		}
	}
}
