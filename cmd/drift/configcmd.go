package main

import (
	"strings"

	"github.com/drift-schema/drift/internal/config"

	"github.com/drift-schema/drift/internal/initconfig"
	"github.com/spf13/cobra"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with the configuration file",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConfigValidateCmd(g))
	return cmd
}

func newConfigValidateCmd(g *globals) *cobra.Command {
	var path, format, use string
	cmd := &cobra.Command{
		Use:   "validate [--config FILE] [--for daemon|check]",
		Short: "Check a config file without connecting to anything: every problem at once, exit 0 or 2",
		Long: `Check a configuration file as the command that will use it does, without connecting to any
database or to Slack: the file itself (every problem at once, with its line), the environment
variables the command needs, each target's migration folder (read and named) or expected
snapshot (read and checked). --for daemon (the default) also needs the store, Slack and daemon
settings; --for check only what drift check needs. Run it in CI, or before restarting a daemon.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonOrText(g, format)
			if err != nil {
				return err
			}
			if !oneOf(use, "daemon", "check") {
				return usageErr("--for must be daemon or check, not %q", use)
			}
			cfg, _, err := g.load(path)
			if err != nil {
				return err
			}
			use = strings.ToLower(use)
			lines, err := initconfig.Validate(cfg, use)
			if err != nil {
				return fail(err)
			}
			return initconfig.PrintValid(g.stdout, cfg, use, lines, asJSON)
		},
	}
	cmd.Flags().StringVarP(&path, "config", "c", "", config.PathHelp)
	cmd.Flags().StringVar(&use, "for", "daemon", "the command the config is for: daemon (everything) or check")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}
