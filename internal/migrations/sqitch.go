package migrations

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Sqitch: a project whose order is its plan file (sqitch.plan), not its file names. Each change
// is deploy/<name>.sql (revert/<name>.sql undoes it, verify/<name>.sql checks it); a change
// reworked after a tag keeps its earlier script as deploy/<name>@<tag>.sql.
const Sqitch Convention = "sqitch"

// sqitchChange is one change line of a plan.
type sqitchChange struct {
	name string
	line int
	// tagsAfter are the tags that follow the change in the plan, up to its next instance (for a
	// reworked change's earlier script), in plan order.
	tagsAfter []string
	reworked  bool
}

// sqitchPlanLine matches a change line: its name (an optional + or - before it), its
// dependencies in brackets, then the planning time and planner.
var sqitchPlanLine = regexp.MustCompile(`^[+-]?([^\s\[@#:\\]+)\s*(?:\[[^\]]*\])?\s*\d{4}-\d{2}-\d{2}T`)

// isSqitch reports whether the folder is a Sqitch project.
func isSqitch(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "sqitch.plan")
	if err == nil {
		return true
	}
	_, err = fs.Stat(fsys, "sqitch.conf")
	return err == nil
}

// sqitchLayout is where a project keeps its plan and scripts (sqitch.conf's core and engine
// "pg" settings top_dir, plan_file, deploy_dir, revert_dir; the defaults otherwise).
type sqitchLayout struct {
	plan, deploy, revert string
}

func readSqitchLayout(fsys fs.FS) (sqitchLayout, error) {
	l := sqitchLayout{}
	settings := map[string]string{}
	data, err := fs.ReadFile(fsys, "sqitch.conf")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return l, fmt.Errorf("reading sqitch.conf: %w", err)
	}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		t := strings.TrimSpace(sc.Text())
		switch {
		case t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";"):
		case strings.HasPrefix(t, "["):
			section = strings.ToLower(strings.Join(strings.Fields(strings.Trim(t, "[]")), " "))
		default:
			k, v, ok := strings.Cut(t, "=")
			if !ok {
				continue
			}
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(v), `"`)
			if section == "core" || section == `engine "pg"` {
				if _, set := settings[k]; !set || section != "core" {
					settings[k] = v // the engine's setting wins over core's
				}
			}
		}
	}
	top := path.Clean(strings.TrimPrefix(settings["top_dir"], "./"))
	if top == "" {
		top = "."
	}
	pick := func(key, def string) string {
		if v := settings[key]; v != "" {
			return path.Clean(v)
		}
		return path.Join(top, def)
	}
	l.plan, l.deploy, l.revert = pick("plan_file", "sqitch.plan"), pick("deploy_dir", "deploy"), pick("revert_dir", "revert")
	for _, p := range []string{l.plan, l.deploy, l.revert} {
		if !fs.ValidPath(p) {
			return l, fmt.Errorf("sqitch.conf: %s is outside the migration folder, which drift does not read", p)
		}
	}
	return l, nil
}

// parseSqitchPlan reads a plan's project name and changes, in order.
func parseSqitchPlan(data []byte, file string) (project string, changes []sqitchChange, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	last := map[string]int{} // change name → index of its latest instance
	n := 0
	for sc.Scan() {
		n++
		t := strings.TrimSpace(sc.Text())
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
		case strings.HasPrefix(t, "%"):
			if k, v, ok := strings.Cut(t[1:], "="); ok && strings.TrimSpace(k) == "project" {
				project = strings.TrimSpace(v)
			}
		case strings.HasPrefix(t, "@"):
			tag := strings.Fields(t)[0][1:]
			for i := range changes {
				// Every change since its name's previous instance sees the tag.
				changes[i].tagsAfter = append(changes[i].tagsAfter, tag)
			}
		default:
			m := sqitchPlanLine.FindStringSubmatch(t)
			if m == nil {
				return "", nil, fmt.Errorf("%s line %d: not a change, tag or pragma: %q", file, n, t)
			}
			if i, ok := last[m[1]]; ok {
				changes[i].reworked = true
			}
			last[m[1]] = len(changes)
			changes = append(changes, sqitchChange{name: m[1], line: n})
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("reading %s: %w", file, err)
	}
	if len(changes) == 0 {
		return "", nil, fmt.Errorf("%s plans no change", file)
	}
	return project, changes, nil
}

// loadSqitch loads a Sqitch project: its plan's changes, in order, each as the deploy script
// Sqitch runs for it; revert scripts are its down files, verify scripts are not read.
func loadSqitch(fsys fs.FS) (*Set, error) {
	l, err := readSqitchLayout(fsys)
	if err != nil {
		return nil, err
	}
	data, err := fs.ReadFile(fsys, l.plan)
	if err != nil {
		return nil, fmt.Errorf("reading the Sqitch plan: %w", err)
	}
	project, changes, err := parseSqitchPlan(data, l.plan)
	if err != nil {
		return nil, err
	}
	set := &Set{Convention: Sqitch, Language: LanguageSQL, Project: project}
	width := len(strconv.Itoa(len(changes)))
	for i, c := range changes {
		file := path.Join(l.deploy, c.name+".sql")
		if c.reworked {
			// The earlier instance's script carries the name of a tag between it and its next
			// instance: the first one that exists.
			file = ""
			for _, tag := range c.tagsAfter {
				f := path.Join(l.deploy, c.name+"@"+tag+".sql")
				if _, err := fs.Stat(fsys, f); err == nil {
					file = f
					break
				}
			}
			if file == "" {
				return nil, fmt.Errorf("%s line %d: change %s is reworked later, but no deploy script %s@<tag>.sql exists for this instance", l.plan, c.line, c.name, path.Join(l.deploy, c.name))
			}
		}
		p := parsed{convention: Sqitch, version: fmt.Sprintf("%0*d", width, i+1), description: c.name, kind: Versioned, language: LanguageSQL}
		m, err := readMigration(fsys, file, p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s line %d: change %s has no deploy script %s", l.plan, c.line, c.name, file)
			}
			return nil, err
		}
		set.Migrations = append(set.Migrations, m)
		if r, err := readMigration(fsys, path.Join(l.revert, strings.TrimPrefix(file, l.deploy+"/")), parsed{convention: Sqitch, version: p.version, description: c.name, kind: Down, language: LanguageSQL}); err == nil {
			set.Down = append(set.Down, r)
		}
	}
	set.Checksum = setChecksum(set.Migrations)
	return set, nil
}
