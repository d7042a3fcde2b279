"""The options of a run, declared once, and the cells they make.

Each field of :class:`RunOptions` whose metadata is a :func:`spec` is a run option: its name, type (``Literal``
choices included), default, help, environment variables, whether it is secret, its minimum, and when it takes
effect. ``responses-conformance run`` builds its command line from this table (``conformance/cli/_run.py``),
the pytest plugin its ``--rc-*`` options (``conformance/run/plugin.py``); :func:`cells_from` turns the options
into the cells of the run for both.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin, get_type_hints

from conformance.checks import HarnessError, McpLog, Tier
from conformance.client import ApiStyle, Secrets
from conformance.contract.validate import Profile
from conformance.matrix import Cell, Mode, load_matrix, target_cell
from conformance.run.runner import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from conformance.cassettes import CassetteSession
    from conformance.run.context import CheckScope, TransportFactory

Stage = Literal["cells", "checks", "run"]
"""When an option takes effect: it shapes the cells, it picks the checks, or it steers only the run."""
FailOn = Literal["must", "should", "never"]
"""Which failures fail the run: at MUST, at MUST or SHOULD, or none."""
_SPEC = "responses-conformance option"
_TRUE = ("1", "true", "yes", "on")


class OptionError(ValueError):
    """Options that cannot make a run; the message is one line naming the option."""


@dataclass(frozen=True)
class Spec:
    """What the table says of one option beside its field's name, type and default."""

    help: str
    env: tuple[str, ...] = ()
    secret: bool = False
    min: int | None = None
    flag: str = ""  # when not ``--`` + the field's name with dashes
    stage: Stage = "cells"
    pytest: str = ""  # what differs under the pytest plugin (added to its help)


def spec(
    help: str, *, env: str | tuple[str, ...] = (), secret: bool = False, min: int | None = None,
    flag: str = "", stage: Stage = "cells", pytest: str = "",
) -> dict[str, Spec]:
    """The metadata that makes a field of :class:`RunOptions` a run option."""
    return {_SPEC: Spec(help, (env,) if isinstance(env, str) else env, secret, min, flag, stage, pytest)}


@dataclass(frozen=True)
class RunOptions:
    """Everything a run was given (secrets included: they never leave this object unscrubbed)."""

    endpoint: str | None = field(default=None, metadata=spec(
        "The target's endpoint (none: the embedded reference servers).",
        env=("AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL")))
    api_style: ApiStyle | None = field(default=None, metadata=spec(
        "URL style (default: from the endpoint)."))
    model: str | None = field(default=None, metadata=spec(
        "The model (on Azure, the deployment's model)."))
    capabilities: list[str] = field(default_factory=list, metadata=spec(
        "The model's capabilities, comma-separated or repeated (default: the capability table's entry; a model "
        "the table lacks needs them).", flag="--capabilities"))
    deployment: str | None = field(default=None, metadata=spec(
        "The Azure deployment name (default: the model)."))
    region: str = field(default="", metadata=spec(
        "The region, for the cell's identity."))
    api_version: str | None = field(default=None, metadata=spec(
        "The api-version.", env="OPENAI_API_VERSION"))
    api_key: str | None = field(default=None, repr=False, metadata=spec(
        "API key.", env="AZURE_OPENAI_API_KEY", secret=True))
    entra: bool = field(default=False, metadata=spec(
        "Authenticate with Entra ID (azure-identity)."))
    bearer: str | None = field(default=None, repr=False, metadata=spec(
        "Bearer token.", env="OPENAI_API_KEY", secret=True))
    config: Path | None = field(default=None, metadata=spec(
        "A matrix file (TOML) naming the cells.", env="RC_CONFIG"))
    profile: Profile | None = field(default=None, metadata=spec(
        "Judge against this profile (default: per cell)."))
    tier: Tier = field(default=Tier.full, metadata=spec(
        "How much of the suite to run.", env="RC_TIER", stage="checks"))
    only: list[str] = field(default_factory=list, metadata=spec(
        "Only checks whose ID matches this glob (repeatable).", flag="--only", stage="checks"))
    out: Path = field(default=Path("reports/latest"), metadata=spec(
        "Folder for report.json, report.html, report.md and junit.xml.", env="RC_OUT", stage="run"))
    fail_on: FailOn = field(default="must", metadata=spec(
        "Exit 1 when a check at this level or above failed.", stage="run"))
    jobs: int = field(default=4, metadata=spec(
        "Cells run concurrently.", env="RC_JOBS", min=1, stage="run",
        pytest="under pytest the checks run one at a time; pytest-xdist (-n N) runs them in parallel"))
    concurrency: int | None = field(default=None, metadata=spec(
        "Checks run concurrently in each cell (default: the matrix file's `concurrency`, "
        f"else {DEFAULT_CONCURRENCY}).", env="RC_CONCURRENCY", min=1, stage="run",
        pytest="under pytest only the cleanup's requests; the checks run one at a time (pytest-xdist: -n N)"))
    max_requests: int | None = field(default=None, metadata=spec(
        "Request budget of the run.", min=1, stage="run"))
    max_output_tokens: int | None = field(default=None, metadata=spec(
        "Cap on max_output_tokens per request.", min=1, stage="run"))
    mcp_url: str | None = field(default=None, metadata=spec(
        "A public MCP server URL the target can reach (e.g. `responses-conformance mcp-server`'s).",
        env="RC_MCP_URL"))
    mcp_log_token: str | None = field(default=None, repr=False, metadata=spec(
        "The log token `responses-conformance mcp-server` printed: the MCP URLs are that server's, and the MCP "
        "checks verify every mcp_call in its log (without it they judge the target's own report).",
        env="RC_MCP_LOG_TOKEN", secret=True))
    image_deployment: str | None = field(default=None, metadata=spec(
        "The gpt-image-1 deployment for image generation (Azure)."))
    shard: str | None = field(default=None, metadata=spec(
        "Run only slice I of N of the cells (I/N), e.g. 2/4; join with `report merge`."))
    sdk: str | None = field(default=None, metadata=spec(
        "The SDK under test (name and version), for the report.", stage="run"))
    gateway: str | None = field(default=None, metadata=spec(
        "The gateway under test (name and version), for the report.", stage="run"))
    mode: Mode = field(default="live", metadata=spec(
        "live; record (live, into cassettes); replay (from cassettes, offline).", env="RC_MODE"))
    cassettes: Path | None = field(default=None, metadata=spec(
        "The cassette folder of record and replay (default: cassettes/; the shipped ones when replaying the "
        "embedded cells).", env="RC_CASSETTES"))
    checks_from: list[str] = field(default_factory=list, metadata=spec(
        "A module whose @check functions join the run (repeatable).", flag="--checks-from", stage="checks",
        pytest="under pytest its file is collected too: its checks are tests, named test_*"))
    command: tuple[str, ...] = ()  # the command line, for the report (secret values are redacted)

    @property
    def shard_slice(self) -> tuple[int, int] | None:
        """``shard`` as (I, N); OptionError when it is not I/N with 1 <= I <= N."""
        return parse_shard(self.shard) if self.shard else None

    @property
    def under_test(self) -> dict[str, str]:
        """The SDK and gateway under test, added to each cell's identity in the report."""
        return {key: value for key, value in (("sdk", self.sdk), ("gateway", self.gateway)) if value}

    def secrets(self) -> list[str]:
        """The values of the secret options given."""
        values = [getattr(self, row.name) for row in OPTIONS if row.spec.secret]
        return [value for value in values if isinstance(value, str) and value]

    def validate(self, prefix: str = "--") -> None:
        """Raise OptionError when the options cannot make a run (flags start with ``prefix``)."""
        if self.endpoint and not self.model and self.config is None:
            raise OptionError(f"{prefix}endpoint needs {prefix}model")
        if self.shard:
            parse_shard(self.shard, f"{prefix}shard")


@dataclass(frozen=True)
class RunOption:
    """One row of the table: a field of :class:`RunOptions` with its type, default and :class:`Spec`."""

    name: str
    type: Any
    default: Any
    spec: Spec

    @property
    def flag(self) -> str:
        """The command-line flag of ``run`` (the plugin's is ``--rc-`` + this without its dashes)."""
        return self.spec.flag or "--" + self.name.replace("_", "-")

    @property
    def base(self) -> Any:
        """The type without ``None``."""
        if get_origin(self.type) in (Union, types.UnionType):
            return next(arg for arg in get_args(self.type) if arg is not type(None))
        return self.type

    @property
    def choices(self) -> tuple[str, ...]:
        """The values allowed (a ``Literal`` or an Enum), or () for any."""
        base = self.base
        if get_origin(base) is Literal:
            return tuple(str(arg) for arg in get_args(base))
        if isinstance(base, type) and issubclass(base, enum.Enum):
            return tuple(str(member.value) for member in base)
        return ()

    @property
    def many(self) -> bool:
        """Whether the option is repeatable (a list)."""
        return get_origin(self.base) is list

    def convert(self, value: Any) -> Any:
        """``value`` (a string from the command line or the environment, or typed) as the field's type."""
        base = self.base
        if self.many:
            return [str(item) for item in (value.split() if isinstance(value, str) else value)]
        if base is bool:
            return value.strip().lower() in _TRUE if isinstance(value, str) else bool(value)
        if self.choices and str(getattr(value, "value", value)) not in self.choices:
            raise OptionError(f"{self.flag}: {value!r} is not one of {', '.join(self.choices)}")
        if isinstance(base, type) and issubclass(base, enum.Enum):
            return base(getattr(value, "value", value))
        if base is int:
            try:
                number = int(value)
            except ValueError:
                raise OptionError(f"{self.flag}: {value!r} is not an integer") from None
            if self.spec.min is not None and number < self.spec.min:
                raise OptionError(f"{self.flag}: {number} is less than {self.spec.min}")
            return number
        return Path(value) if base is Path else str(value)


def _table() -> tuple[RunOption, ...]:
    hints = get_type_hints(RunOptions)
    return tuple(
        RunOption(f.name, hints[f.name], [] if f.default is dataclasses.MISSING else f.default,
                  f.metadata[_SPEC])
        for f in dataclasses.fields(RunOptions) if _SPEC in f.metadata
    )


OPTIONS: tuple[RunOption, ...] = _table()
"""The table of run options, in the order ``run --help`` shows them."""
SECRET_FLAGS: tuple[str, ...] = tuple(o.flag for o in OPTIONS if o.spec.secret)


def options_from(
    values: Mapping[str, Any], environ: Mapping[str, str] | None = None, command: Sequence[str] = ()
) -> RunOptions:
    """RunOptions from option values by field name (None or [] when not given), converted and checked; an
    option not given takes its first non-empty ``environ`` variable, else its default. Raises OptionError."""
    given: dict[str, Any] = {}
    for row in OPTIONS:
        value = values.get(row.name)
        if (value is None or value == []) and environ is not None:
            value = next((environ[name] for name in row.spec.env if environ.get(name)), None)
        if value is not None and value != []:
            given[row.name] = row.convert(value)
    return RunOptions(**given, command=tuple(command))


def parse_shard(text: str, flag: str = "--shard") -> tuple[int, int]:
    """``I/N`` (1 ≤ I ≤ N) as a pair; OptionError (a ValueError) with a one-line message otherwise."""
    index, sep, total = text.partition("/")
    if not (sep and index.isdigit() and total.isdigit() and 1 <= int(index) <= int(total)):
        raise OptionError(f"{flag} must be I/N with 1 <= I <= N, not {text!r}")
    return int(index), int(total)


def shard(cells: Sequence[Cell], index: int, total: int) -> list[Cell]:
    """The I-th of N slices: cells sorted by ID, every N-th from position I-1 (same for any input order)."""
    return [cell for n, cell in enumerate(sorted(cells, key=lambda c: c.id)) if n % total == index - 1]


@dataclass
class RunCells:
    """The cells of a run and what their checks share: secrets, the local MCP server's log, the cassettes."""

    cells: list[Cell]
    secrets: Secrets
    mcp_seen: dict[str, McpLog] = field(default_factory=dict)
    cassettes: CassetteSession | None = None

    @property
    def transport_factory(self) -> TransportFactory | None:
        """Each cell's transport when cells are recorded or replayed."""
        return self.cassettes.transport if self.cassettes is not None else None

    @property
    def check_scope(self) -> CheckScope | None:
        """What wraps each check's body when cells are recorded or replayed (its cassette)."""
        return self.cassettes.scope if self.cassettes is not None else None

    @property
    def problems(self) -> list[str]:
        """The corrupt cassettes met so far, one line each."""
        return list(self.cassettes.errors) if self.cassettes is not None else []


def cells_from(options: RunOptions, stack: ExitStack) -> RunCells:
    """The run's cells: the matrix file's, else the target's, else the embedded reference servers (started on
    ``stack``; in replay mode their recordings instead); sharded, in the run's mode, with their cassettes.

    Raises MatrixError or OptionError (one line) before anything starts.
    """
    secrets = Secrets(options.secrets())
    mcp_seen: dict[str, McpLog] = {}
    folder = options.cassettes
    slice_ = options.shard_slice
    cells = _given_cells(options)
    if cells is None and options.mode == "replay":
        from conformance.cassettes import shipped_cassettes
        from conformance.run.embedded import reference_replay_cells

        cells, folder = reference_replay_cells(), folder or shipped_cassettes()
    if cells is None:
        from conformance.run.embedded import embedded_targets

        embedded = stack.enter_context(embedded_targets())
        cells, mcp_seen = embedded.cells, {embedded.mcp_url: embedded.mcp_seen}
    elif options.mcp_log_token:
        mcp_seen = _remote_logs(cells, options.mcp_log_token)
    every = _in_mode(cells, options.mode)  # the cassette folders are those of the unsharded run
    cells = _in_mode(shard(cells, *slice_), options.mode) if slice_ is not None else every
    for cell in cells:
        secrets.add(*cell.secrets())
    if all(cell.mode == "live" for cell in cells):
        return RunCells(cells, secrets, mcp_seen)
    from conformance.cassettes import CassetteSession

    return RunCells(cells, secrets, mcp_seen, CassetteSession(folder or Path("cassettes"), every, secrets))


def _remote_logs(cells: Sequence[Cell], token: str) -> dict[str, McpLog]:
    """The logs of the MCP servers of ``cells`` (``responses-conformance mcp-server``), each read once now."""
    from conformance.run.mcp_log import RemoteMcpLog

    urls = sorted({cell.mcp_url for cell in cells if cell.mcp_url})
    if not urls:
        raise OptionError("--mcp-log-token needs --mcp-url (the URL responses-conformance mcp-server printed)")
    logs: dict[str, McpLog] = {}
    for url in urls:
        log = RemoteMcpLog(url, token)
        try:
            log.check()
        except HarnessError as exc:
            raise OptionError(f"--mcp-log-token: {exc}") from None
        logs[url] = log
    return logs


def _in_mode(cells: Sequence[Cell], mode: Mode) -> list[Cell]:
    return [dataclasses.replace(cell, mode=mode) for cell in cells] if mode != "live" else list(cells)


def _given_cells(options: RunOptions) -> list[Cell] | None:
    if options.config is not None:
        if options.capabilities:
            raise OptionError("--capabilities is for --endpoint: a matrix file gives each deployment's capabilities")
        cells = load_matrix(options.config)
    elif options.endpoint:
        cells = [
            target_cell(
                endpoint=options.endpoint, api_style=options.api_style, model=options.model or "",
                deployment=options.deployment, region=options.region, api_version=options.api_version,
                api_key=options.api_key, bearer=options.bearer, entra=options.entra,
                capabilities=options.capabilities,
            )
        ]
    else:
        return None
    given = {key: getattr(options, key) for key in ("profile", "mcp_url", "image_deployment")}
    changes = {key: value for key, value in given.items() if value}
    return [dataclasses.replace(cell, **changes) for cell in cells]
