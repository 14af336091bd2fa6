# mmio-replay: `make demo` and `make test` work on a fresh Debian/Ubuntu machine with Swift 6.1+.
SWIFT ?= swift
BIN = .build/release/mmio-replay

.PHONY: deps build demo test bench clean

deps:
	@tools/install-deps.sh

build: deps
	$(SWIFT) build -c release

# The main job on the bundled traces: what each one contains, and what each attribute policy
# makes of a guest's mapping.
demo: build
	@for t in traces/*.mtrace; do echo; $(BIN) inspect $$t; done
	@echo; $(BIN) attrs
	@echo; $(BIN) attrs --region-kind gicv2-vcpu-if --policy kvm-device --policy kvm-normal-nc --policy all-normal-nc
	@echo; $(BIN) generate --events 1000000 --workload mixed --seed 1 -o .build/demo-1M.mtrace
	@$(BIN) inspect .build/demo-1M.mtrace

test: deps
	$(SWIFT) test

# Parsing throughput on a generated 5-million-event trace, against `wc -l` on the same file.
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build Benchmarks/.build
