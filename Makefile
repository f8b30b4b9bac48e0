# guichet: the two commands of the README, and a few helpers.
#   make run    install what is missing, build, create the demo database, serve
#   make test   install what is missing, then every test (unit, integration, fuzz)
BUILD ?= build
DB ?= var/guichet.db
LISTEN ?= 127.0.0.1:8080

.PHONY: run test deps build bench clean deb check-fresh

deps:
	@scripts/install-deps

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=release -Db_ndebug=false -Dtests=false
	@ninja -C $(BUILD)

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

# the Debian package into build-deb/, then checked unpacked in a throwaway root
deb: deps
	@scripts/build-deb
	@scripts/check-deb

clean:
	rm -rf $(BUILD) build-test build-fuzz

# the README's commands on a bare Debian 12 root (debootstrap, chroot, as root):
# the committed HEAD, install-deps, make run until /healthz, make test
check-fresh:
	@scripts/check-fresh
