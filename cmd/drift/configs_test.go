package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/drift-schema/drift/internal/pgtest"
	"github.com/drift-schema/drift/internal/slack/testserver"
)

// The deployment files under configs/ are tested as an operator uses them: parsed and checked
// for everything they reference, and the binary started with each config they carry.

const configsDir = "../../configs"

// manifest is one Kubernetes object, as parsed YAML.
type manifest map[string]any

func (m manifest) kind() string { s, _ := m["kind"].(string); return s }

func (m manifest) name() string { return dig[string](m, "metadata", "name") }

// dig walks nested maps and lists ("spec", "template", 0, …) and returns the value as T.
func dig[T any](v any, path ...any) T {
	var zero T
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				if mm, ok2 := v.(manifest); ok2 {
					m = mm
				} else {
					return zero
				}
			}
			v = m[p]
		case int:
			l, ok := v.([]any)
			if !ok || p >= len(l) {
				return zero
			}
			v = l[p]
		}
	}
	t, _ := v.(T)
	return t
}

// readManifests parses a multi-document YAML file and its comments.
func readManifests(t *testing.T, path string) ([]manifest, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []manifest
	for {
		// Decoded as plain maps: into a named map type, nested mappings would take that type.
		var raw map[string]any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, path)
		if raw == nil {
			continue
		}
		m := manifest(raw)
		require.NotEmpty(t, m["apiVersion"], "%s: every object has an apiVersion", path)
		require.NotEmpty(t, m.kind(), path)
		require.NotEmpty(t, m.name(), "%s: a %s without a name", path, m.kind())
		out = append(out, m)
	}
	return out, string(data)
}

var (
	envRef      = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)
	fromLiteral = regexp.MustCompile(`--from-literal=([A-Z_][A-Z0-9_]*)=`)
	createdCM   = regexp.MustCompile(`kubectl create configmap ([a-z0-9-]+)`)
	createdSec  = regexp.MustCompile(`kubectl create secret generic ([a-z0-9-]+)`)
)

// workload is a pod template and where it came from.
type workload struct {
	name string
	pod  map[string]any
}

// TestKubernetesManifests: each file applies as written once the steps its comments give are
// done: every ConfigMap and Secret a pod uses is in the file or created by a documented command,
// every secret key is documented, every ${VAR} of the config is in the container's environment,
// the mounts match the paths the config and the arguments use, the root file system is
// read-only with somewhere to write, and drift itself — started with the file's config and
// arguments — runs, the CronJob exiting 0 on drift so that drift is not a failed Job.
func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	bin := buildDrift(t)
	for _, file := range []string{"cronjob.yaml", "deployment.yaml"} {
		t.Run(file, func(t *testing.T) {
			objs, text := readManifests(t, filepath.Join(configsDir, "k8s", file))
			configMaps := map[string]manifest{}
			var w workload
			for _, m := range objs {
				switch m.kind() {
				case "ConfigMap":
					configMaps[m.name()] = m
				case "Deployment":
					w = workload{m.name(), dig[map[string]any](m, "spec", "template", "spec")}
					require.Equal(t, dig[map[string]any](m, "spec", "selector", "matchLabels"), dig[map[string]any](m, "spec", "template", "metadata", "labels"), "the selector matches the pods")
				case "CronJob":
					w = workload{m.name(), dig[map[string]any](m, "spec", "jobTemplate", "spec", "template", "spec")}
					require.Equal(t, "Forbid", dig[string](m, "spec", "concurrencyPolicy"), "one run at a time")
					require.Equal(t, "Never", dig[string](w.pod, "restartPolicy"))
				}
			}
			require.NotNil(t, w.pod, "a workload")
			documented := map[string]bool{}
			for _, m := range createdCM.FindAllStringSubmatch(text, -1) {
				documented["configmap/"+m[1]] = true
			}
			for _, m := range createdSec.FindAllStringSubmatch(text, -1) {
				documented["secret/"+m[1]] = true
			}
			literals := map[string]bool{}
			for _, m := range fromLiteral.FindAllStringSubmatch(text, -1) {
				literals[m[1]] = true
			}

			require.Equal(t, true, dig[bool](w.pod, "securityContext", "runAsNonRoot"))
			c := dig[map[string]any](w.pod, "containers", 0)
			require.Equal(t, true, dig[bool](c, "securityContext", "readOnlyRootFilesystem"))
			args := toStrings(dig[[]any](c, "args"))
			env := map[string]string{}
			for _, e := range dig[[]any](c, "env") {
				name := dig[string](e, "name")
				if ref := dig[map[string]any](e, "valueFrom", "secretKeyRef"); ref != nil {
					secret, key := dig[string](ref, "name"), dig[string](ref, "key")
					require.True(t, documented["secret/"+secret], "secret %s is created by a documented command", secret)
					require.True(t, literals[key], "secret key %s is in the documented kubectl create secret", key)
					env[name] = "secret"
					continue
				}
				env[name] = dig[string](e, "value")
			}
			for key := range literals {
				require.Contains(t, env, key, "documented secret key %s reaches the container", key)
			}

			// Volumes and mounts agree, and what they name exists.
			volumes := map[string]map[string]any{}
			for _, v := range dig[[]any](w.pod, "volumes") {
				volumes[dig[string](v, "name")] = v.(map[string]any)
			}
			mounts := map[string]string{}
			var configCM, configFile, snapshotsDir string
			for _, mnt := range dig[[]any](c, "volumeMounts") {
				name, path := dig[string](mnt, "name"), dig[string](mnt, "mountPath")
				v, ok := volumes[name]
				require.True(t, ok, "mount %s has a volume", name)
				mounts[path] = name
				if cm := dig[string](v, "configMap", "name"); cm != "" {
					_, defined := configMaps[cm]
					require.True(t, defined || documented["configmap/"+cm], "ConfigMap %s is in the file or created by a documented command", cm)
					if dig[string](mnt, "subPath") == "drift.yaml" {
						configCM, configFile = cm, path
					} else {
						snapshotsDir = path
					}
				}
			}
			for name := range volumes {
				require.Contains(t, slices.Collect(mapValues(mounts)), name, "volume %s is mounted", name)
			}
			require.Equal(t, "emptyDir", volumeType(volumes[mounts["/tmp"]]), "a writable /tmp")
			cache := env["XDG_CACHE_HOME"]
			require.NotEmpty(t, cache, "the cache is somewhere writable")
			require.Equal(t, "emptyDir", volumeType(volumes[mounts[cache]]), "XDG_CACHE_HOME is a writable mount")
			i := slices.Index(args, "--config")
			require.GreaterOrEqual(t, i, 0)
			require.Equal(t, configFile, args[i+1], "--config is the mounted config file")

			// The config: every ${VAR} it reads is in the environment.
			cfgText := dig[string](configMaps[configCM], "data", "drift.yaml")
			require.NotEmpty(t, cfgText)
			var vars []string
			for _, m := range envRef.FindAllStringSubmatch(cfgText, -1) {
				if m[2] == "" {
					require.Contains(t, env, m[1], "${%s} in the config is in the container's environment", m[1])
					vars = append(vars, m[1])
				}
			}
			var parsed struct {
				SnapshotsDir string `yaml:"snapshots_dir"`
				Daemon       struct {
					HTTPAddress     string `yaml:"http_address"`
					ShutdownTimeout string `yaml:"shutdown_timeout"`
				} `yaml:"daemon"`
				Targets []struct {
					Name, Expected string
				} `yaml:"targets"`
			}
			require.NoError(t, yaml.Unmarshal([]byte(cfgText), &parsed))
			require.Equal(t, filepath.Join(filepath.Dir(configFile), parsed.SnapshotsDir), snapshotsDir, "the snapshots are mounted where the config looks")
			if w.pod["terminationGracePeriodSeconds"] != nil {
				require.Equal(t, "30s", parsed.Daemon.ShutdownTimeout)
				require.Greater(t, dig[int](w.pod, "terminationGracePeriodSeconds"), 30, "SIGTERM waits for running checks")
				port := strings.TrimPrefix(parsed.Daemon.HTTPAddress, ":")
				require.Equal(t, port, fmt.Sprint(dig[int](c, "ports", 0, "containerPort")))
				require.Equal(t, "/readyz", dig[string](c, "readinessProbe", "httpGet", "path"))
				require.Equal(t, "/healthz", dig[string](c, "livenessProbe", "httpGet", "path"))
			}

			// Start drift with this config and these arguments, the secrets pointing at test
			// databases and the snapshots mounted from the live schemas before they drifted.
			dir := t.TempDir()
			srv := testserver.New(t)
			// The one change: a bot token talks to the test server's API, not to Slack.
			runText := strings.Replace(cfgText, "\n    slack:\n", fmt.Sprintf("\n    slack:\n      api_url: %q\n", srv.APIURL()), 1)
			if !strings.Contains(cfgText, "token:") {
				runText = cfgText
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "drift.yaml"), []byte(runText), 0o644))
			require.NoError(t, os.MkdirAll(filepath.Join(dir, parsed.SnapshotsDir), 0o755))
			environ := append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
			for _, v := range vars {
				val := ""
				switch {
				case v == "DRIFT_STORE_DSN":
					val = pgtest.NewDB(t)
				case strings.HasPrefix(v, "SLACK_WEBHOOK"):
					val = srv.WebhookURL()
				case strings.HasPrefix(v, "SLACK_BOT"):
					val = testserver.Token
				case strings.HasSuffix(v, "_DATABASE_URL"):
					val = pgtest.NewDB(t)
					pgtest.Exec(t, val, schemaSQL)
				}
				require.NotEmpty(t, val, "a test value for %s", v)
				environ = append(environ, v+"="+val)
			}
			for _, tg := range parsed.Targets {
				dsn := lookup(environ, strings.ToUpper(tg.Name)+"_DATABASE_URL")
				out, err := exec.Command(bin, "snapshot", "--from", dsn, "--out", filepath.Join(dir, parsed.SnapshotsDir, tg.Name+".json")).CombinedOutput()
				require.NoError(t, err, string(out))
				pgtest.Exec(t, dsn, "CREATE INDEX users_by_hand_idx ON users (id, email)")
			}
			validate := exec.Command(bin, "config", "validate", "--config", filepath.Join(dir, "drift.yaml"))
			validate.Env = environ
			out, err := validate.CombinedOutput()
			require.NoError(t, err, string(out))

			runArgs := slices.Clone(args)
			runArgs[i+1] = filepath.Join(dir, "drift.yaml")
			if !slices.Contains(runArgs, "--once") {
				runArgs = append(runArgs, "--once") // the Deployment's daemon, for one tick
			}
			run := exec.Command(bin, runArgs...)
			run.Env = environ
			var stderr bytes.Buffer
			run.Stderr = &stderr
			err = run.Run()
			if slices.Contains(args, "--fail-on") {
				require.NoError(t, err, "the CronJob's drift run exits 0 on drift: not a failed Job\n%s", stderr.String())
			} else {
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit, stderr.String())
				require.Equal(t, 1, exit.ExitCode(), "drift found: %s", stderr.String())
			}
			if slices.Contains(args, "json") {
				for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
					require.True(t, strings.HasPrefix(line, "{"), "--log-format json: %q", line)
				}
			}
			if strings.Contains(cfgText, "webhook_url") {
				require.Len(t, srv.Posts(), 1, "and Slack heard of it")
			}

			// Drift that cannot be checked still fails the Job.
			broken := append(slices.Clone(environ), "APP_DATABASE_URL=postgres://u:Pw-Kube-1@127.0.0.1:1/x?connect_timeout=1")
			run = exec.Command(bin, runArgs...)
			run.Env = broken
			out, err = run.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			require.Equal(t, 2, exit.ExitCode(), "a target that cannot be checked is exit 2: %s", out)
			require.NotContains(t, string(out), "Pw-Kube-1")
		})
	}
}

func toStrings(l []any) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func mapValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

func volumeType(v map[string]any) string {
	for _, k := range []string{"emptyDir", "configMap", "secret", "persistentVolumeClaim"} {
		if _, ok := v[k]; ok {
			return k
		}
	}
	return ""
}

func lookup(environ []string, name string) string {
	for i := len(environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(environ[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// TestExampleConfigStarts: configs/drift.example.yaml as written — validated for the daemon and
// run as drift check against a database built from the demo migrations it names.
func TestExampleConfigStarts(t *testing.T) {
	t.Parallel()
	bin := buildDrift(t)
	live := pgtest.NewDB(t)
	files, err := filepath.Glob(filepath.Join(configsDir, "demo", "migrations", "*.up.sql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	slices.Sort(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		pgtest.Exec(t, live, string(data))
	}
	example := filepath.Join(configsDir, "drift.example.yaml")
	environ := append(os.Environ(),
		"APP_DATABASE_URL="+live, "GRAPH_URI=neo4j://127.0.0.1:7687", "DRIFT_STORE_DSN=postgres://drift@127.0.0.1/drift",
		"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/XXXX", "DRIFT_SHADOW_DSN="+pgtest.AdminDSN(t),
		"DRIFT_CACHE_DIR="+t.TempDir())
	validate := exec.Command(bin, "config", "validate", "--config", example)
	validate.Env = environ
	out, err := validate.CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "app (postgres")
	require.Contains(t, string(out), "graph (neo4j")

	check := exec.Command(bin, "check", "--config", example, "--target", "app")
	check.Env = environ
	out, err = check.CombinedOutput()
	require.NoError(t, err, "the demo database is what its migrations say:\n%s", out)

	// Without the variables it reads, the config says which are missing, with their lines:
	// those of the targets when it is loaded, then those of the daemon's settings.
	missing := func(env []string, want ...string) {
		validate := exec.Command(bin, "config", "validate", "--config", example)
		validate.Env = env
		out, err := validate.CombinedOutput()
		require.Error(t, err)
		for _, v := range want {
			require.Regexp(t, `drift.example.yaml:\d+: \S+: environment variable `+v+` is not set`, string(out))
		}
	}
	path := "PATH=" + os.Getenv("PATH")
	missing([]string{path}, "APP_DATABASE_URL", "GRAPH_URI")
	missing([]string{path, "APP_DATABASE_URL=" + live, "GRAPH_URI=neo4j://g:7687"}, "DRIFT_STORE_DSN", "SLACK_WEBHOOK_URL")
}

// TestSystemdUnit: under ProtectSystem=strict the whole file system is read-only, so every place
// drift writes must be given back: the cache (CacheDirectory, where XDG_CACHE_HOME and the
// example's shadow.cache_dir point) and /tmp (PrivateTmp) for the throwaway cluster.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(configsDir, "drift.service"))
	require.NoError(t, err)
	unit := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "a key=value line: %q", line)
		unit[k] = append(unit[k], v)
	}
	one := func(k string) string { require.Len(t, unit[k], 1, k); return unit[k][0] }
	require.Equal(t, "strict", one("ProtectSystem"))
	require.Equal(t, "yes", one("PrivateTmp"))
	require.Equal(t, "drift", one("CacheDirectory"))
	require.Contains(t, unit["Environment"], "XDG_CACHE_HOME=/var/cache", "drift's cache lands in /var/cache/drift")
	require.NotEqual(t, "root", one("User"))
	require.Equal(t, "SIGTERM", one("KillSignal"))
	require.Equal(t, "/usr/local/bin/drift daemon --config /etc/drift/drift.yaml", one("ExecStart"))
	// The example config's cache is the unit's cache directory.
	example, err := os.ReadFile(filepath.Join(configsDir, "drift.example.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(example), "cache_dir: ${DRIFT_CACHE_DIR:-/var/cache/drift}")
	stop := one("TimeoutStopSec")
	require.Equal(t, "90s", stop, "longer than the default shutdown_timeout of 1m")
}

// TestDockerfile: no container engine runs here, so the Dockerfile is checked for what makes it
// right: two stages, the same `make build` (static, stamped) on the Go of go.mod, a non-root
// user, and the binary it copies is the one it runs.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	text := string(data)
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(text, -1)
	require.Len(t, froms, 2, "multi-stage")
	gomod, err := os.ReadFile("../../go.mod")
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(gomod))[1]
	require.Contains(t, froms[0][1], "golang:"+goVersion, "builds with go.mod's Go")
	require.Contains(t, froms[1][1], "distroless/static", "a static binary needs nothing else")
	require.Regexp(t, `(?m)^RUN make build `, text, "the same make build")
	require.Regexp(t, `(?m)^USER 65532:65532$`, text, "non-root")
	require.Contains(t, text, "COPY --from=build /src/bin/drift /usr/local/bin/drift")
	require.Contains(t, text, `ENTRYPOINT ["/usr/local/bin/drift"]`)
	makefile, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	require.Contains(t, string(makefile), "CGO_ENABLED=0 $(GO) build", "make build is static")
	require.Contains(t, string(makefile), "-X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)")
}
