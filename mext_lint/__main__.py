from mext_lint.launch import main

raise SystemExit(main())
