"""Chinese full-text search, tokenized once when a record is written (DESIGN: "Chinese text").

Three parts, none of which knows a domain:

- **The tokenizer**: jieba's dictionary and algorithm through ``rjieba`` (the jieba-rs binding: the same
  tokens as jieba, about ten times faster, see ``bench/bench_tokenize.py``), with a user dictionary built
  lazily, once per process, from the *word sources* that apps register (``register_words``): catalog
  names such as majors, industries and skills, so that "工业机器人技术" stays one token.
- **The registry**: ``register(Model, build_text)``; :func:`refresh` sets ``instance.search_text`` to the
  space-joined tokens of ``build_text(instance)``. The generic services and the import base call it before
  saving a row, so a query never tokenizes stored text again. ``xiaoqitong reindex_search`` recomputes
  stored rows (data written before a model was registered, or after a dictionary change).
- **The filter**: :class:`SearchFilter` (django-filter) tokenizes the query, keeps the rows that hold every
  query word, and ranks them: on PostgreSQL through a GIN index on ``to_tsvector('simple', search_text)``
  (:class:`AddSearchIndex` in a migration), elsewhere by substring tests on the token list.

An app's ``search.py`` (found by :func:`autodiscover`) registers its models and words::

    from xiaoqitong.core import search

    def enterprise_text(e):
        return [search.Name(e.name), e.industry.name, e.county.name]

    search.register(Enterprise, enterprise_text, select_related=("industry", "county"))
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Any

import django_filters
from django.db import migrations, models
from django_filters.constants import EMPTY_VALUES

logger = logging.getLogger(__name__)

FIELD = "search_text"

# Function words that say nothing about a record; everything else (single characters too) is kept.
_STOP = (
    "的 了 和 与 及 或 等 在 是 为 对 以 将 把 被 从 由 于 之 其 并 而 且 也 都 就 又 着 过 "
    "及其 以及 或者 并且 而且 以上 以下 具有 能够 可以 进行 相关 一定 我们 你们 他们 我 你 他 她 它 "
    "the and or of to in for with a an"
)
STOP_WORDS = frozenset(_STOP.split())

# What a token may consist of: ASCII letters and digits, or other letters (CJK). Punctuation, symbols and
# spaces never make a token; a mixed token ("web前端") is split, so that both backends see the same words.
_PIECE = re.compile(r"[a-z0-9]+|[^\W\x00-\x7f_]+")
# The parts of a catalog name worth adding to the dictionary: runs of two or more CJK characters.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
MAX_WORD = 20  # a longer "word" is a sentence: left to the algorithm
MAX_QUERY_WORDS = 12  # a pasted paragraph is not a query: its first words are searched
MAX_PAIRED_RUN = 10  # runs up to this long are also searched by character pairs (names are short)
MEMO_TEXT = 64  # texts up to this long have their tokens remembered ...
MEMO_SIZE = 20_000  # ... this many of them per tokenizer


# --- the tokenizer --------------------------------------------------------------------------------
def _compat_class() -> re.Pattern:
    """The characters that NFKC turns into letters or digits (full-width ``Ｃ``, ``①``, ``㎡``…)."""
    ranges: list[list[int]] = []
    for code in range(0x80, 0x10000):
        char = chr(code)
        normal = unicodedata.normalize("NFKC", char)
        if normal != char and any(c.isalnum() for c in normal):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


_COMPAT = _compat_class()


def normalize(text: str) -> str:
    """Full-width letters and digits to ASCII (NFKC), lower case: ``ＣＡＤ`` and ``cad`` are one word.
    NFKC runs only on a text that has such characters: on plain Chinese text it costs more than jieba."""
    text = text or ""
    if _COMPAT.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def pieces(tokens: str) -> list[str]:
    """The searchable parts of space-separated raw tokens, stop words left out."""
    return [p for p in _PIECE.findall(tokens) if p not in STOP_WORDS]


def dictionary_words(names: Iterable[str]) -> list[str]:
    """User-dictionary words from catalog names: the CJK runs of each name (``建筑信息模型（BIM）`` gives
    ``建筑信息模型``), normalized, without duplicates."""
    words: dict[str, None] = {}
    for name in names:
        for run in _CJK_RUN.findall(normalize(name)):
            if len(run) <= MAX_WORD:
                words[run] = None
    return list(words)


class Tokenizer:
    """jieba's algorithm (through rjieba) with a user dictionary.

    ``cutter`` may be anything with jieba's ``cut(text)`` and ``cut_for_search(text)``; the default is a
    fresh ``rjieba.Jieba()``. The benchmark passes python-jieba to compare the two.
    """

    def __init__(self, words: Iterable[str] = (), cutter: Any = None):
        if cutter is None:
            import rjieba

            cutter = rjieba.Jieba()
            add = lambda w: cutter.add_word(w, None, None)  # noqa: E731 (rjieba needs all arguments)
        else:
            add = cutter.add_word
        self.cutter = cutter
        self.words = 0
        for word in words:
            add(word)
            self.words += 1
        # Per instance: a cache on the method would be shared by tokenizers with other dictionaries.
        self._memo = functools.lru_cache(maxsize=MEMO_SIZE)(lambda text: tuple(self._tokens(text)))

    def tokens(self, text: str) -> list[str]:
        """Index tokens of ``text``: jieba's search-engine mode (words and their dictionary sub-words).
        Short texts (names of majors, skills, chains, counties: the same few hundred on every row of an
        import) are remembered, up to ``MEMO_SIZE`` of them."""
        if not text or len(text) > MEMO_TEXT:
            return self._tokens(text or "")
        return list(self._memo(text))

    def _tokens(self, text: str) -> list[str]:
        text = normalize(text)
        if not text.strip():
            return []
        # One regex pass over the joined tokens (tokens never span the separating spaces) is several
        # times cheaper than one per token.
        return pieces(" ".join(self.cutter.cut_for_search(text)))

    def words_of(self, text: str) -> list[str]:
        """The words of ``text`` in jieba's precise mode (no sub-words), for queries."""
        return pieces(" ".join(self.cutter.cut(normalize(text))))

    def query(self, text: str) -> Node | None:
        """A query as a tree of ``("and", children)``, ``("or", children)`` and tokens (leaves): what a
        row's tokens must hold. ``None`` when the query has no searchable word.

        Each run of the query (text between spaces and punctuation) must be found, either as its words
        (precise mode), or, for a short run, as its character pairs, which :class:`Name` parts store: a
        company's 字号 that jieba merges with its neighbours ("光诚锑业") is still found. Each word is found
        as itself or as sub-words that spell it: a text segmented differently ("工业机器人技术" stored as
        one word and its sub-words) still matches "工业机器人" through 工业 + 机器人.
        """
        runs = []
        count = 0
        for run in dict.fromkeys(_PIECE.findall(normalize(text))):
            if run in STOP_WORDS:
                continue
            words = []
            for word in dict.fromkeys(self.words_of(run)):
                parts = _spell(word, {t for t in self.tokens(word) if t != word})
                words.append(_node("or", [word, _node("and", parts)]) if parts else word)
            plan = _node("and", words)
            if plan is None:  # stop words only
                continue
            pairs = bigrams(run) if len(run) <= MAX_PAIRED_RUN else []
            runs.append(_node("or", [plan, _node("and", pairs)]) if pairs and pairs != words else plan)
            count += len(words)
            if count >= MAX_QUERY_WORDS:
                break
        return _node("and", runs)


Node = str | tuple[str, tuple["Node", ...]]


def _node(op: str, children: Sequence[Node | None]) -> Node | None:
    children = tuple(dict.fromkeys(c for c in children if c))
    if not children:
        return None
    return children[0] if len(children) == 1 else (op, children)


def leaves(node: Node | None) -> list[str]:
    """The distinct tokens of a query tree."""
    if node is None:
        return []
    if isinstance(node, str):
        return [node]
    return list(dict.fromkeys(t for child in node[1] for t in leaves(child)))


def matches(node: Node | None, tokens: set[str]) -> bool:
    """Whether stored ``tokens`` satisfy a query tree (what the database filter computes)."""
    if node is None:
        return False
    if isinstance(node, str):
        return node in tokens
    op, children = node
    return (all if op == "and" else any)(matches(child, tokens) for child in children)


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each CJK run (``光诚锑业``: 光诚 诚锑 锑业); a lone character is left
    out, as it is from the words."""
    out = []
    for run in _CJK_RUN.findall(normalize(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _spell(word: str, parts: set[str]) -> tuple[str, ...]:
    """The fewest ``parts`` that, one after the other, spell ``word`` (empty if they cannot).

    Search mode gives a word's dictionary 2- and 3-grams, which overlap (数控车床: 数控, 数控车, 车床);
    requiring all of them would miss a text that has 数控 and 车床 only.
    """
    best: list[tuple[str, ...] | None] = [()] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(end):
            before = best[start]
            piece = word[start:end]
            if before is not None and piece in parts:
                candidate = (*before, piece)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1] or ()


WordSource = Callable[[], Iterable[str]]
_word_sources: dict[str, WordSource] = {}
_tokenizer: Tokenizer | None = None
_lock = threading.RLock()


def register_words(source: WordSource) -> WordSource:
    """Add a callable returning user-dictionary words (names; they go through :func:`dictionary_words`).
    Usable as a decorator; registering the same function twice has no effect."""
    _word_sources[f"{source.__module__}.{source.__qualname__}"] = source
    return source


def _collect_words() -> tuple[list[str], bool]:
    from django.db import DatabaseError, transaction

    names: list[str] = []
    complete = True
    for key, source in sorted(_word_sources.items()):
        try:
            with transaction.atomic():  # a failing source must not break the caller's transaction
                names.extend(source())
        except DatabaseError:
            logger.warning("search dictionary: word source %s failed (database not migrated?)", key)
            complete = False
    return dictionary_words(names), complete


def get_tokenizer() -> Tokenizer:
    """The process's tokenizer; its dictionary is built at first use from the registered word sources."""
    global _tokenizer
    tokenizer = _tokenizer
    if tokenizer is not None:
        return tokenizer
    with _lock:
        if _tokenizer is None:
            autodiscover()
            words, complete = _collect_words()
            tokenizer = Tokenizer(words)
            if not complete:
                return tokenizer  # built again next time: the catalogs may be there by then
            _tokenizer = tokenizer
        return _tokenizer


def reset_dictionary() -> None:
    """Forget the dictionary: the next tokenization builds it again from the word sources (after a
    catalog change; stored rows then need ``xiaoqitong reindex_search``)."""
    global _tokenizer
    with _lock:
        _tokenizer = None


def tokenize(text: str) -> list[str]:
    """Index tokens of ``text``: search-engine mode, lower case, punctuation and stop words dropped."""
    return get_tokenizer().tokens(text)


# --- the registry ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Name:
    """A short name (company, position title) in a ``build_text``: its words count ``weight`` times in the
    ranking, and its character pairs are stored too, so that a 字号 is found whatever jieba makes of it
    (measured on generated company names: one 字号 or trade word in 30 missed by words alone)."""

    text: str
    weight: int = 3

    def __bool__(self) -> bool:
        return bool(self.text)


Part = str | tuple[str, int] | Name | None
BuildText = Callable[[models.Model], "str | Iterable[Part]"]


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    build_text: BuildText
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    field: str = FIELD


_registry: dict[str, Registration] = {}
_discovered = False


def autodiscover() -> None:
    """Import every app's ``search`` module (once) so that its registrations exist."""
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            from django.utils.module_loading import autodiscover_modules

            autodiscover_modules("search")
            _discovered = True


def register(
    model: type[models.Model],
    build_text: BuildText,
    *,
    select_related: Sequence[str] = (),
    prefetch_related: Sequence[str] = (),
    field: str = FIELD,
) -> Registration:
    """Index ``model``: ``build_text(instance)`` returns the text to index, as a string or as parts, each a
    string, ``(string, weight)`` (a part of weight 2 counts twice in the ranking) or a :class:`Name`.
    ``select_related``/``prefetch_related`` serve ``reindex_search``, which reads rows in batches."""
    registration = Registration(model, build_text, tuple(select_related), tuple(prefetch_related), field)
    _registry[model._meta.label] = registration
    return registration


def registration_for(model: type[models.Model] | str) -> Registration | None:
    autodiscover()
    label = model if isinstance(model, str) else model._meta.label
    return _registry.get(label)


def registered() -> list[Registration]:
    autodiscover()
    return list(_registry.values())


def text_tokens(build: str | Iterable[Part], tokenizer: Tokenizer | None = None) -> list[str]:
    """Tokens of what a ``build_text`` returned; weighted parts repeat their tokens, names add their
    character pairs."""
    tokenizer = tokenizer or get_tokenizer()
    if isinstance(build, str):
        return tokenizer.tokens(build)
    out: list[str] = []
    for part in build:
        if not part:
            continue
        if isinstance(part, Name):
            text, weight = part.text, part.weight
        else:
            text, weight = (part, 1) if isinstance(part, str) else part
        tokens = tokenizer.tokens(text or "")
        for _ in range(max(1, int(weight))):
            out.extend(tokens)
        if isinstance(part, Name):
            out.extend(bigrams(text or ""))
    return out


def search_text_for(instance: models.Model, registration: Registration | None = None) -> str | None:
    """The ``search_text`` that ``instance`` should have, or ``None`` when its model is not indexed."""
    registration = registration or registration_for(type(instance))
    if registration is None:
        return None
    return " ".join(text_tokens(registration.build_text(instance)))


def refresh(instance: models.Model, *, save: bool = False) -> bool:
    """Set ``instance.search_text`` from its current values if its model is indexed; returns whether it
    changed. With ``save``, a changed value is also written (one UPDATE of that column, nothing else):
    for callers that have just changed many-to-many values, which exist only once the row is saved."""
    registration = registration_for(type(instance))
    if registration is None:
        return False
    value = search_text_for(instance, registration)
    if value == getattr(instance, registration.field):
        return False
    setattr(instance, registration.field, value)
    if save and instance.pk is not None:
        type(instance)._base_manager.filter(pk=instance.pk).update(**{registration.field: value})
    return True


def related_names(instance: models.Model, attr: str, field: str = "name") -> list[str]:
    """``field`` of each object of a many-to-many (or reverse) relation; nothing while the instance is
    unsaved. Uses a prefetched cache when there is one (``reindex_search`` prefetches)."""
    if instance.pk is None:
        return []
    return [str(getattr(obj, field)) for obj in getattr(instance, attr).all()]


def reindex(
    model: type[models.Model], *, batch_size: int = 1000, progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """Recompute ``search_text`` of every row of an indexed model in batches.
    Returns ``(rows read, rows changed)``; ``progress(rows)`` is called after each batch."""
    registration = registration_for(model)
    if registration is None:
        raise LookupError(f"{model._meta.label} is not registered for search")
    tokenizer = get_tokenizer()
    qs = model._base_manager.order_by("pk")
    if registration.select_related:
        qs = qs.select_related(*registration.select_related)
    if registration.prefetch_related:
        qs = qs.prefetch_related(*registration.prefetch_related)
    read = changed = 0
    last = None
    while True:
        batch_qs = qs if last is None else qs.filter(pk__gt=last)
        batch = list(batch_qs[:batch_size])
        if not batch:
            break
        dirty = []
        for obj in batch:
            value = " ".join(text_tokens(registration.build_text(obj), tokenizer))
            if value != getattr(obj, registration.field):
                setattr(obj, registration.field, value)
                dirty.append(obj)
        if dirty:
            _write(model, registration.field, [(getattr(o, registration.field), o.pk) for o in dirty])
        read += len(batch)
        changed += len(dirty)
        last = batch[-1].pk
        if progress is not None:
            progress(len(batch))
    return read, changed


def _write(model: type[models.Model], field: str, values: list[tuple[str, Any]]) -> None:
    """One UPDATE per row, sent as a batch: ``bulk_update`` builds a CASE of one branch per row, which
    PostgreSQL evaluates for every row (8,000 enterprises: 3.8 s of writing with it, 1.3 s this way)."""
    from django.db import connections, transaction

    db = model._base_manager.db
    connection = connections[db]
    quote = connection.ops.quote_name
    column = model._meta.get_field(field).column
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s "  # noqa: S608 (names, not input)
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    with transaction.atomic(using=db), connection.cursor() as cursor:
        cursor.executemany(sql, values)


# --- the filter -----------------------------------------------------------------------------------
_CODE = re.compile(r"^[0-9A-Za-z\-]{4,}$")


def search(
    queryset: models.QuerySet,
    value: str,
    *,
    field: str = FIELD,
    codes: Sequence[str] = (),
    also: models.Q | None = None,
) -> models.QuerySet:
    """Rows of ``queryset`` whose ``field`` holds every word of ``value``, best first.

    ``codes``: fields also matched by prefix when the query looks like a code (统一社会信用代码, 学号).
    ``also``: a condition that finds rows too (a student's name, for those who may see it). Either is
    combined with the indexed match through a subquery, so that PostgreSQL still reads the index.
    """
    value = (value or "").strip()
    if not value:
        return queryset
    extra = [also] if also is not None else []
    if codes and _CODE.match(value):
        extra += [models.Q(**{f"{name}__istartswith": value}) for name in codes]
    tree = get_tokenizer().query(value)
    if tree is None:
        return queryset.filter(reduce(or_, extra)) if extra else queryset.none()
    ordering = [*(queryset.query.order_by or queryset.model._meta.ordering or []), "pk"]
    if _vendor(queryset) == "postgresql":
        aliases, condition, rank = _postgres(tree, field)
    else:
        aliases, condition, rank = _substring(tree, field)
    queryset = queryset.alias(**aliases)
    if extra:
        matched = queryset.model._base_manager.alias(**aliases).filter(condition).values("pk")
        condition = reduce(or_, extra, models.Q(pk__in=matched))
    return queryset.filter(condition).alias(search_rank=rank).order_by("-search_rank", *ordering)


def _vendor(queryset: models.QuerySet) -> str:
    from django.db import connections

    return connections[queryset.db].vendor


def _ranked(tree: Node) -> list[str]:
    """The tokens whose occurrences rank a row: the first few of the query (each costs a scan of the
    text on SQLite)."""
    return leaves(tree)[: MAX_QUERY_WORDS * 2]


def _build(node: Node, leaf: Callable[[str], Any]):
    """A query tree as ``leaf(token)`` values combined with ``&`` and ``|``."""
    if isinstance(node, str):
        return leaf(node)
    op, children = node
    return reduce(and_ if op == "and" else or_, (_build(child, leaf) for child in children))


def _postgres(tree: Node, field: str):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    def term(token):
        # phraseto_tsquery accepts any text (no tsquery syntax to escape) and keeps a token that the
        # parser splits in two as a phrase, exactly as to_tsvector splits it in the stored text.
        return SearchQuery(token, config="simple", search_type="phrase")

    vector = SearchVector(field, config="simple")  # the expression of the GIN index (AddSearchIndex)
    # Rank by how often any query token occurs (an OR query: ts_rank of an AND query measures proximity),
    # divided by 1 + log(length) so that a long text does not win by length alone.
    rank = SearchRank(vector, reduce(or_, map(term, _ranked(tree))), normalization=1)
    return {"_search_vector": vector}, models.Q(_search_vector=_build(tree, term)), rank


def _substring(tree: Node, field: str):
    from django.db.models import F, Value
    from django.db.models.functions import Concat, Length, Replace

    # " a  b  c ": every token between two spaces of its own, so that " b " is found as a whole token and
    # its occurrences can be counted without overlapping.
    padded = Concat(
        Value(" "), Replace(F(field), Value(" "), Value("  ")), Value(" "), output_field=models.TextField()
    )
    counts = [
        (Length(padded) - Length(Replace(padded, Value(f" {t} "), Value("")))) / len(f" {t} ")
        for t in _ranked(tree)
    ]
    condition = _build(tree, lambda token: models.Q(_search_padded__contains=f" {token} "))
    return {"_search_padded": padded}, condition, reduce(lambda a, b: a + b, counts)


class SearchFilter(django_filters.CharFilter):
    """``?q=``: Chinese full-text search over an indexed model's ``search_text``, best matches first.

    ``codes`` names code fields matched by prefix when the query looks like a code (see :func:`search`).
    """

    def __init__(self, *args, codes: Sequence[str] = (), **kwargs):
        kwargs.setdefault("field_name", FIELD)
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)
        self.codes = tuple(codes)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return search(qs, value, field=self.field_name, codes=self.codes)


# --- the index (PostgreSQL) -----------------------------------------------------------------------
class AddSearchIndex(migrations.operations.base.Operation):
    """A GIN index on ``to_tsvector('simple', search_text)``, created on PostgreSQL only (elsewhere the
    operation does nothing). It leaves the migration state alone: the model declares no index, so
    ``makemigrations`` never tries to add or remove it.

        migrations.AddField(...search_text...),
        search.AddSearchIndex("enterprise", "orgs_enterprise_search"),
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, name: str, field: str = FIELD):
        self.model_name = model_name
        self.name = name
        self.field = field

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name, self.name], {"field": self.field})

    def state_forwards(self, app_label, state):
        pass

    def _index(self):
        from django.contrib.postgres.indexes import GinIndex
        from django.contrib.postgres.search import SearchVector

        return GinIndex(SearchVector(self.field, config="simple"), name=self.name)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, self.model_name)
            schema_editor.add_index(model, self._index())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = from_state.apps.get_model(app_label, self.model_name)
            schema_editor.remove_index(model, self._index())

    def describe(self):
        return f"Create search index {self.name} on {self.model_name} (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name}_search_index"
