from mext_lint.cli import main

raise SystemExit(main())
