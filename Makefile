# guichet: the two commands of the README, and a few helpers.
#   make run    install what is missing to build and run, build, create the demo database, serve
#   make test   install what is missing, then every test (unit, integration, fuzz)
BUILD ?= build
DB ?= var/guichet.db
LISTEN ?= 127.0.0.1:8080

.PHONY: run test deps deps-run build web bench clean deb check-fresh screenshots

# the web desktop (web/): npm ci when the lock file changed, vite build and
# the .gz beside each file when a source changed; guichetd serves web/dist
WEB_SOURCES := $(shell find web/src web/portal web/chat web/public -type f 2>/dev/null) web/index.html web/vite.config.js web/scripts/gzip.mjs

# deps: every package (make test, deb); deps-run: those building and running need
deps:
	@scripts/install-deps

deps-run:
	@scripts/install-deps run

build: deps-run web
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=release -Db_ndebug=false -Dtests=false
	@ninja -C $(BUILD)

web: web/dist/index.html

web/node_modules/.installed: web/package.json web/package-lock.json
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	@cd web && npx vite build --logLevel warn && node scripts/gzip.mjs dist

run: build
	@mkdir -p $(dir $(DB))
	@./$(BUILD)/guichet admin demo --db $(DB) --kb data/demo/kb.jsonl
	@echo "open http://$(LISTEN)/ and log in as any demo login above (password guichet-demo)"
	@echo "or: GUICHET_URL=http://$(LISTEN) ./$(BUILD)/guichet login --email supervisor@demo.example --password guichet-demo"
	exec ./$(BUILD)/guichetd --db $(DB) --listen $(LISTEN)

test: deps
	@scripts/run-tests

bench: build
	bench/core/run
	bench/wfm/run
	bench/routing/run
	bench/knowledge/run
	bench/web/run
	bench/chat/run
	bench/reports/run
	bench/voice/run

# the Debian package into build-deb/, then checked unpacked in a throwaway root
deb: deps
	@scripts/build-deb
	@scripts/check-deb

# the PNGs of docs/screenshots/ (its README.md says what each shows): the demo
# on a temporary database, served by build/guichetd, each page in headless
# chromium (web/scripts/screenshots.mjs); not part of make test
screenshots: build
	@GUICHET_BUILD=$(BUILD) node web/scripts/screenshots.mjs

clean:
	rm -rf $(BUILD) build-test build-fuzz web/dist web/node_modules

# the README's commands on a bare Debian 12 root (debootstrap, chroot, as root):
# the committed HEAD, install-deps, make run until /healthz, make test
check-fresh:
	@scripts/check-fresh
