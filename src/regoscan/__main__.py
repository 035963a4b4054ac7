from regoscan.cli import main

raise SystemExit(main())
