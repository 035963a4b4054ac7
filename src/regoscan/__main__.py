from regoscan.cli import run

run()
