# Bank assistant: `make help` lists the commands. The two a newcomer needs: `make run`, `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

ENSURE_ENV := scripts/ensure_env.sh
# The environment lives outside the checkout; scripts/ensure_env.sh creates or reuses it
# and prints its path. Each recipe starts with $(WITH_ENV) and then uses $$venv.
WITH_ENV = venv="$$(bash $(ENSURE_ENV) | tail -n 1)"
export PYTHONPATH := $(CURDIR)

RASA_DATA := --domain bot/domain --data nlu_data bot/stories bot/rules --config config.yml

.PHONY: help env widget chat run test pytest validate conversation-tests train seed reset-data lint format lock clean \
	bench-nlu eval-intents eval-sentiment bench-parse clinc-eval-data bench-actions bench-load lint-deploy pytest-production purge-old-conversations

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

env: ## Create or reuse the Python 3.10 environment (reinstalls only when requirements.lock changes)
	@bash $(ENSURE_ENV) >/dev/null

widget: ## Build the chat widget (widget/ -> widget/dist) with npm when its sources changed
	@$(WITH_ENV) && "$$venv/bin/python" scripts/build_widget.py

chat: ## Chat in the terminal over the web channel, like the mobile app (CUSTOMER=CUST-0001 for the demo login)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/chat_client.py $(if $(CUSTOMER),--demo-customer $(CUSTOMER),)

run: ## Start the whole assistant on localhost (seeds data and trains the model when needed)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/dev.py run

test: ## Run the whole suite: rasa data validate, pytest (browser tests included), Rasa conversation tests
	@$(WITH_ENV) && \
	  echo "== rasa data validate" && "$$venv/bin/rasa" data validate $(RASA_DATA) --fail-on-warnings && \
	  echo "== train (only if config or data changed)" && "$$venv/bin/python" scripts/dev.py train && \
	  echo "== widget (npm ci + build when its sources changed)" && "$$venv/bin/python" scripts/build_widget.py && \
	  echo "== browser (Debian chromium)" && bash scripts/ensure_browser.sh && \
	  echo "== pytest" && "$$venv/bin/python" -m pytest && \
	  echo "== rasa conversation tests" && "$$venv/bin/python" scripts/dev.py conversation-tests

pytest: ## Run only the pytest suite (pass ARGS="-k balance" to filter)
	@$(WITH_ENV) && "$$venv/bin/python" -m pytest $(ARGS)

validate: ## Check the domain, stories, rules and NLU data for mistakes
	@$(WITH_ENV) && "$$venv/bin/rasa" data validate $(RASA_DATA) --fail-on-warnings

conversation-tests: ## Run Rasa's end-to-end conversation tests (tests/conversations)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/dev.py conversation-tests

train: ## Train the Rasa model if config or training data changed (FORCE=1 to retrain)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/dev.py train $(if $(FORCE),--force,)

seed: ## Create and seed the core-banking SQLite database under var/ if missing
	@$(WITH_ENV) && "$$venv/bin/python" scripts/dev.py seed

reset-data: ## Drop and re-seed the core-banking database
	@$(WITH_ENV) && "$$venv/bin/python" scripts/dev.py seed --reset

# ---- NLU measurements: each prints a table and writes JSON to OUT ----
BANKING77 := ../shared/datasets/banking77/train.csv
CLINC_VAL := var/eval/clinc_val.csv
SENTIMENT_DEV := ../shared/datasets/sentiment_airline_tweets/dev.csv
need = $(if $($(1)),,$(error $(1)=... is required, e.g. $(2)))

bench-nlu: ## Train the NLU pipeline of config.yml on TRAIN, score it on TEST (TRAIN= TEST= OUT=)
	$(call need,TRAIN,TRAIN=$(BANKING77))$(call need,TEST,TEST=test.csv)$(call need,OUT,OUT=var/bench_nlu.json)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/bench_nlu.py --train "$(TRAIN)" --test "$(TEST)" --out "$(OUT)"

clinc-eval-data: ## Write CLINC150 val in the bot's intent names to var/eval/clinc_val.csv
	@$(WITH_ENV) && "$$venv/bin/python" scripts/clinc_eval_csv.py --out $(CLINC_VAL)

eval-intents: train ## Score the trained bot on a text,intent CSV as served (TEST= OUT=)
	$(call need,TEST,TEST=$(CLINC_VAL))$(call need,OUT,OUT=var/eval_intents.json)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/eval_intents.py --test "$(TEST)" --out "$(OUT)"

eval-sentiment: train ## Score the trained sentiment component and VADER on a text,sentiment CSV (TEST= OUT=)
	$(call need,TEST,TEST=$(SENTIMENT_DEV))$(call need,OUT,OUT=var/eval_sentiment.json)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/eval_sentiment.py --test "$(TEST)" --out "$(OUT)" \
	  --model models/bank-assistant.tar.gz

bench-parse: train ## Parse latency (p50/p95/p99 ms) of the trained model, one message at a time (OUT=)
	$(call need,OUT,OUT=var/bench_parse.json)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/bench_parse.py --out "$(OUT)"

purge-old-conversations: ## Delete conversations, closed handoff tickets and profile history older than retention_days (bot/privacy.yml; DAYS= overrides)
	@$(WITH_ENV) && "$$venv/bin/python" -m privacy.retention $(if $(DAYS),--days $(DAYS),)

pytest-production: ## The production-shape tests (two Rasa servers, PostgreSQL, Redis, RabbitMQ)
	@$(WITH_ENV) && "$$venv/bin/python" -m pytest -m production tests/production

lint-deploy: ## Render deploy/k8s with kustomize, validate it against the Kubernetes schemas, hadolint the Dockerfile
	@$(WITH_ENV) && "$$venv/bin/python" -m pytest tests/deploy -q

bench-load: ## Load: simulated customers over the web channel vs a bare `rasa init` bot (OUT= [ARGS=])
	$(call need,OUT,OUT=var/bench_load.json)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/bench_load.py --out "$(OUT)" $(ARGS)

bench-actions: ## Latency p50/p95 of the custom actions against a real core_mock (OUT=)
	$(call need,OUT,OUT=var/bench_actions.json)
	@$(WITH_ENV) && "$$venv/bin/python" scripts/bench_actions.py --out "$(OUT)"

lint: ## Lint and type-check (ruff, ruff format --check, mypy)
	@$(WITH_ENV) && "$$venv/bin/ruff" check . && "$$venv/bin/ruff" format --check . && \
	  "$$venv/bin/mypy" actions connectors core_mock scripts sqlstore privacy ratelimit

format: ## Format the code with ruff
	@$(WITH_ENV) && "$$venv/bin/ruff" format . && "$$venv/bin/ruff" check --fix .

lock: ## Re-resolve pyproject.toml's pinned dependencies into requirements.lock
	@$(WITH_ENV) && "$$venv/bin/pip-compile" --quiet --allow-unsafe --strip-extras --extra dev \
	    --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean: ## Remove trained models, local data and test results
	rm -rf models var results test-artifacts .pytest_cache .ruff_cache .mypy_cache
