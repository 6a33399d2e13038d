package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/drift-schema/drift/internal/initconfig"
)

type initOptions struct {
	out   string
	force bool
}

func newInitCmd(g *globals) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init DATABASE [MIGRATIONS] [DATABASE [MIGRATIONS]]…",
		Short: "Write a commented drift.yaml for the databases and migration folders given",
		Long: `Write a commented configuration for the databases given, each followed by its migration folder
(or a snapshot file) when it has one:

  drift init postgres://drift@db:5432/app ./db/migrations neo4j://graph:7687 ./db/neo4j

Each database becomes a target named after it. Its connection string is not written into the
file: the file reads it from an environment variable (APP_DATABASE_URL), so the file can be
committed; drift init says which variables to set. A migration folder is read to say which
convention it follows. Nothing is connected to: run drift check next.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The connection strings are shown (their passwords are not): register only the
			// passwords as secrets, so a path or a host name is never hidden.
			g.secure(nil, initconfig.Passwords(args)...)
			w := newWiring(g, nil, "")
			specs, err := initconfig.Plan(w.runner, args)
			if err != nil {
				return usageErr("%w", err)
			}
			if err := initconfig.Write(o.out, o.force, specs, time.Now(), g.stdout, g.stderr, g.redactor); err != nil {
				return fail(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.out, "out", "o", "drift.yaml", "where to write the config; - for standard output")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite an existing file")
	return cmd
}
