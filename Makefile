# Makefile: the two commands. `make check` installs what a fresh Debian 12
# machine lacks, builds Release, runs every test, then builds the unit tests
# with AddressSanitizer/UBSan and runs them. `make demo` runs the retention
# workflow on a generated purchase log (scripts/demo.sh). Everything else is
# CMake (CMakeLists.txt).
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc)

.PHONY: all build check demo deps bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRETAIN_SANITIZE=ON -DRETAIN_CUDA=OFF
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j $(JOBS) -L sanitize

demo: build
	scripts/demo.sh $(BUILD)/retain

bench: build
	@scripts/install-deps.sh --bench
	/usr/bin/python3 bench/run.py --retain $(BUILD)/retain

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD)
