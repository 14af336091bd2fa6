# mmio-replay: `make demo` and `make test` work on a fresh Debian/Ubuntu machine with Swift 6.1+.
SWIFT ?= swift
BIN = .build/release/mmio-replay

.PHONY: deps build demo test bench bench-allocations bench-allocations-update fuzz install clean

deps:
	@tools/install-deps.sh

build: deps
	$(SWIFT) build -c release

# The main job on the bundled traces: what each policy makes of a guest's mapping, the scenarios
# replayed under the policies and platforms that tell them apart, then the bundled campaign and
# its comparison across policies (as text, then as an HTML report).
demo: build
	@echo; $(BIN) attrs
	@echo; $(BIN) inspect traces/nvme-doorbell.mtrace
	@echo; $(BIN) replay traces/scenarios/wrong-size-read.mtrace --policy kvm-device --platform quiet-pcie --platform ras-sbsa --platform no-ras
	@echo; $(BIN) replay traces/scenarios/late-posted-error.mtrace --platform quiet-pcie --platform traces/scenarios/firmware-first-no-ras.yaml
	@echo; $(BIN) replay traces/scenarios/write-combining.mtrace --policy kvm-device --policy kvm-normal-nc
	@echo; $(BIN) replay traces/scenarios/read-pushes-writes.mtrace --policy kvm-device --policy kvm-normal-nc --schedule adversarial
	@echo; $(BIN) replay traces/scenarios/reclaim-after-writes.mtrace --policy kvm-device --policy kvm-normal-nc --policy strict-ngnrne --platform quiet-pcie --platform split-ecam --schedule adversarial
	@echo; $(BIN) replay traces/scenarios/reclaim-after-writes.mtrace --policy kvm-device --policy strict-ngnrne --platform split-ecam --schedule explore --witness-dir .build/witnesses
	@echo; $(BIN) replay traces/captures/arm64-virt-nvme.log --platform ras-sbsa --device-view-limit 0
	@echo; $(BIN) generate --events 1000000 --workload mixed --seed 1 -o .build/demo-1M.mtrace
	@$(BIN) replay .build/demo-1M.mtrace --policy kvm-device --policy kvm-normal-nc --device-view-limit 0
	@echo; rm -f .build/demo-campaign.db .build/demo-campaign.db-wal .build/demo-campaign.db-shm
	$(BIN) campaign run traces/campaigns/demo.yaml --db .build/demo-campaign.db
	@echo; $(BIN) compare .build/demo-campaign.db
	@echo; $(BIN) compare .build/demo-campaign.db --format html -o .build/demo-report.html
	@echo "report: $(CURDIR)/.build/demo-report.html"

test: deps
	$(SWIFT) test

# Parsing throughput on a generated 5-million-event trace, against `wc -l` on the same file.
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

# Malloc counts of parsing and replay against the static thresholds in Benchmarks/Thresholds/
# (exit 1 when a count grows by more than 5%); `make bench-allocations-update` records new ones.
bench-allocations: deps
	cd Benchmarks && $(SWIFT) package benchmark thresholds check --target Allocations --path "$(CURDIR)/Benchmarks/Thresholds"

bench-allocations-update: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark thresholds update --target Allocations

# libFuzzer harnesses for every reader (docs/reliability.md): FUZZ_SECONDS each (default 60).
FUZZ_SECONDS ?= 60
fuzz: deps
	tools/fuzz/run.sh $(FUZZ_SECONDS)

# The binary in $(PREFIX)/bin, and its shell completions (bash, zsh, fish) under $(PREFIX)/share.
PREFIX ?= /usr/local
install: build
	install -D -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/mmio-replay
	mkdir -p $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mmio-replay
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mmio-replay
	$(BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mmio-replay.fish

clean:
	rm -rf .build Benchmarks/.build Fuzz/.build Fuzz/.work
