"""tlcourse.text: drug reviews parse cleanly, MiniLM loads offline, pooling
ignores padding and the embedding cache never mixes up encoders.

Assumes the assets were fetched (`make setup`)."""
import numpy as np
import pytest

from tlcourse import text


@pytest.fixture(scope="module")
def reviews():
    return text.load_drug_reviews()


@pytest.fixture(scope="module")
def encoder():
    return text.minilm(sequence_length=32)


def test_drug_conditions_align_with_the_reviews():
    cond_train, cond_test = text.load_drug_conditions()
    assert (len(cond_train), len(cond_test)) == (600, 379)
    assert cond_train[0] == "Pain"            # the nalbuphine review, first in the file
    assert cond_train.count("Birth Control") == 117 and cond_test.count("Depression") == 25


def test_drug_reviews_sizes_labels_and_clean_text(reviews):
    x_train, y_train, x_test, y_test, names = reviews
    assert (len(x_train), len(x_test)) == (600, 379)
    assert names == ("negative", "neutral", "positive")
    assert y_train.shape == (600,) and set(np.unique(y_train)) == {0, 1, 2}
    # The shipped split: positive majority, neutral rarest.
    assert list(np.bincount(y_test)) == [95, 36, 248]
    assert not any(t.startswith('"') or "&#039;" in t or "&amp;" in t
                   for t in x_train + x_test)
    assert all(len(t) > 0 for t in x_train)
    assert reviews.class_names is names


def test_minilm_tokenizes_into_wordpieces(encoder):
    backbone, preprocessor = encoder
    assert backbone.hidden_dim == 384 and backbone.num_layers == 6
    x = preprocessor(["Zoloft helped."])
    ids = np.asarray(x["token_ids"][0])
    assert ids.shape == (32,)
    pieces = [preprocessor.tokenizer.id_to_token(int(i)) for i in ids[:7]]
    assert pieces[0] == "[CLS]" and "[SEP]" in pieces and "##ft" in pieces
    assert ids[-1] == 0 and not np.asarray(x["padding_mask"][0])[-1]


def test_mean_pool_ignores_padding():
    h = np.array([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]], "float32")
    mask = np.array([[True, True, False]])
    np.testing.assert_allclose(np.asarray(text.mean_pool(h, mask)), [[2.0, 3.0]])


def test_embed_is_unit_length_cached_and_keyed_by_weights(encoder, tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    backbone, preprocessor = encoder
    texts = ["This drug worked great.", "Terrible side effects, I stopped."]
    e1 = text.embed(texts, backbone, preprocessor)
    assert e1.shape == (2, 384) and e1.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(e1, axis=1), 1.0, atol=1e-5)
    files = list((tmp_path / "embeddings").glob("*.npy"))
    assert len(files) == 1
    np.testing.assert_array_equal(text.embed(texts, backbone, preprocessor), e1)
    # Changing the weights must change the key, not return stale vectors.
    old = backbone.pooled_dense.kernel.numpy()
    layer = backbone.get_layer("embeddings_layer_norm")
    gamma = layer.gamma.numpy()
    try:
        layer.gamma.assign(gamma * 2.0 + 0.5)
        e2 = text.embed(texts, backbone, preprocessor)
    finally:
        layer.gamma.assign(gamma)
    assert len(list((tmp_path / "embeddings").glob("*.npy"))) == 2
    assert not np.allclose(e1, e2)
    assert np.allclose(backbone.pooled_dense.kernel.numpy(), old)


def test_damaged_embedding_cache_is_recomputed(encoder, tmp_path, monkeypatch):
    monkeypatch.setenv("TLCOURSE_CACHE", str(tmp_path))
    backbone, preprocessor = encoder
    texts = ["Helped with my migraines.", "No effect at all."]
    e1 = text.embed(texts, backbone, preprocessor)
    (file,) = (tmp_path / "embeddings").glob("*.npy")
    file.write_bytes(file.read_bytes()[:200])            # a crash mid-copy, say
    with pytest.warns(UserWarning, match="Rebuilding"):
        e2 = text.embed(texts, backbone, preprocessor)
    np.testing.assert_allclose(e2, e1, atol=1e-6)
    assert [p.name for p in (tmp_path / "embeddings").iterdir()] == [file.name]
    np.testing.assert_array_equal(np.load(file), e2)


def test_embed_matches_manual_mean_pool_and_rejects_half_arguments(encoder):
    backbone, preprocessor = encoder
    texts = ["short", "a somewhat longer review about a pill"]
    x = preprocessor(texts)
    h = np.asarray(backbone(x)["sequence_output"])
    m = np.asarray(x["padding_mask"])[..., None].astype("float32")
    manual = (h * m).sum(1) / m.sum(1)
    manual /= np.linalg.norm(manual, axis=1, keepdims=True)
    got = text.embed(texts, backbone, preprocessor, cache=False)
    np.testing.assert_allclose(got, manual, atol=1e-4)
    with pytest.raises(ValueError):
        text.embed(texts, backbone=backbone)
