import base64
import json

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from groupql.errors import InvalidEncryptedData, SessionKeyStale
from groupql.wechat.crypto import decrypt_wechat_data, encrypt_wechat_data
from groupql.wechat.share_info import read_shared_chat

# WeChat's published demo vector for its "encrypted data" algorithm (a wx.getUserInfo payload),
# pinned byte for byte by w7corp/easywechat tests/Kernel/Support/AesCbcTest.php, which asserts
# that encrypting this plaintext gives exactly this ciphertext.
DEMO_APPID = "wx4f4bc4dec97d474b"
DEMO_SESSION_KEY = "tiihtNczf5v6AKRyjwEUhQ=="
DEMO_IV = "r7BXXKkLb8qrSNn05n0qiA=="
DEMO_ENCRYPTED_DATA = (
    "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC"
    "+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOF"
    "tnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz"
    "+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5"
    "anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdY"
    "mYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew=="
)
DEMO_PLAINTEXT = (
    '{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN",'
    '"city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/'
    "mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKics"
    'nfN5pRjl1p8HQ/0","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":'
    '1477314187,"appid":"wx4f4bc4dec97d474b"}}'
)
SESSION_KEY = base64.b64encode(b"groupql-test-key").decode()


def _ciphertext_bytes() -> bytes:
    return base64.b64decode(DEMO_ENCRYPTED_DATA)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _encrypt_blocks(plaintext: bytes, *, pad: bool = True) -> tuple[str, str]:
    """What WeChat would send for arbitrary bytes, which encrypt_wechat_data cannot make."""
    if pad:
        padder = padding.PKCS7(128).padder()
        plaintext = padder.update(plaintext) + padder.finalize()
    iv = bytes(range(16))
    encryptor = Cipher(algorithms.AES(base64.b64decode(SESSION_KEY)), modes.CBC(iv)).encryptor()
    return _b64(encryptor.update(plaintext) + encryptor.finalize()), _b64(iv)


def test_wechat_demo_vector_decrypts_to_its_published_payload() -> None:
    payload = decrypt_wechat_data(DEMO_ENCRYPTED_DATA, DEMO_IV, DEMO_SESSION_KEY)

    assert payload == json.loads(DEMO_PLAINTEXT)
    assert payload["watermark"] == {"timestamp": 1477314187, "appid": DEMO_APPID}


def test_wechat_demo_vector_decrypts_byte_for_byte() -> None:
    key, iv = base64.b64decode(DEMO_SESSION_KEY), base64.b64decode(DEMO_IV)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(_ciphertext_bytes()) + decryptor.finalize()

    assert len(padded) == 400
    assert padded[393:] == bytes([7]) * 7
    assert padded[:393] == DEMO_PLAINTEXT.encode()


def test_encrypting_the_demo_payload_reproduces_wechats_ciphertext() -> None:
    encrypted = encrypt_wechat_data(
        json.loads(DEMO_PLAINTEXT), DEMO_SESSION_KEY, iv=base64.b64decode(DEMO_IV)
    )

    assert encrypted == (DEMO_ENCRYPTED_DATA, DEMO_IV)


def test_demo_payload_is_a_user_profile_so_it_names_no_chat() -> None:
    payload = decrypt_wechat_data(DEMO_ENCRYPTED_DATA, DEMO_IV, DEMO_SESSION_KEY)

    with pytest.raises(InvalidEncryptedData):
        read_shared_chat(payload, appid=DEMO_APPID, now_s=1477314187 + 10, max_age_s=600)


def test_shared_payload_round_trips_with_a_fresh_iv_each_time() -> None:
    payload = {"openGId": "tG0ab-群", "watermark": {"appid": "wx1", "timestamp": 1}}

    first = encrypt_wechat_data(payload, SESSION_KEY)
    second = encrypt_wechat_data(payload, SESSION_KEY)

    assert first[1] != second[1]
    assert decrypt_wechat_data(*first, SESSION_KEY) == payload
    assert decrypt_wechat_data(*second, SESSION_KEY) == payload


def test_spaces_that_transport_made_of_plus_signs_still_decrypt() -> None:
    mangled = DEMO_ENCRYPTED_DATA.replace("+", " ")
    assert mangled != DEMO_ENCRYPTED_DATA

    payload = decrypt_wechat_data(mangled, DEMO_IV, DEMO_SESSION_KEY)

    assert payload == json.loads(DEMO_PLAINTEXT)


def test_every_wrong_session_key_reads_as_stale() -> None:
    # A wrong key yields valid padding about once in 256 tries; the JSON check still catches
    # those, so every one of these fixed keys must fail the same way.
    for seed in range(1, 300):
        wrong_key = _b64(seed.to_bytes(2, "big") * 8)
        with pytest.raises(SessionKeyStale) as raised:
            decrypt_wechat_data(DEMO_ENCRYPTED_DATA, DEMO_IV, wrong_key)
        assert raised.value.message == SessionKeyStale.default_message


def test_wrong_iv_garbles_the_opening_brace_and_reads_as_stale() -> None:
    iv = bytearray(base64.b64decode(DEMO_IV))
    iv[0] ^= 0x01  # turns the plaintext's leading "{" into "z"

    with pytest.raises(SessionKeyStale):
        decrypt_wechat_data(DEMO_ENCRYPTED_DATA, _b64(bytes(iv)), DEMO_SESSION_KEY)


def test_dropped_last_block_looks_well_formed_but_reads_as_stale() -> None:
    # Whole blocks pass the shape checks; the new last block ends in JSON text, not padding.
    shortened = _b64(_ciphertext_bytes()[:-16])

    with pytest.raises(SessionKeyStale):
        decrypt_wechat_data(shortened, DEMO_IV, DEMO_SESSION_KEY)


@pytest.mark.parametrize(
    "encrypted_data",
    [
        pytest.param(_b64(base64.b64decode(DEMO_ENCRYPTED_DATA)[:-5]), id="not whole blocks"),
        pytest.param("", id="empty"),
        pytest.param("not base64!", id="not base64"),
        pytest.param(DEMO_ENCRYPTED_DATA.rstrip("="), id="padding stripped"),
        pytest.param(DEMO_ENCRYPTED_DATA + "\n", id="trailing newline"),
        pytest.param(DEMO_ENCRYPTED_DATA.replace("C", "Ç", 1), id="not ascii"),
    ],
)
def test_malformed_encrypted_data_is_refused_before_decrypting(encrypted_data: str) -> None:
    with pytest.raises(InvalidEncryptedData) as raised:
        decrypt_wechat_data(encrypted_data, DEMO_IV, DEMO_SESSION_KEY)
    assert raised.value.message == InvalidEncryptedData.default_message


@pytest.mark.parametrize(
    "iv",
    [
        pytest.param(_b64(bytes(12)), id="12 bytes"),
        pytest.param(_b64(bytes(17)), id="17 bytes"),
        pytest.param("", id="empty"),
        pytest.param(DEMO_IV.rstrip("="), id="padding stripped"),
        pytest.param("r7BXXKkLb8qrSNn05n0q*A==", id="not base64"),
    ],
)
def test_malformed_iv_is_refused(iv: str) -> None:
    with pytest.raises(InvalidEncryptedData):
        decrypt_wechat_data(DEMO_ENCRYPTED_DATA, iv, DEMO_SESSION_KEY)


def test_ciphertext_up_to_64_kib_is_accepted_and_larger_is_refused() -> None:
    # '{"x":"' + filler + '"}' is 65 535 bytes, so with one padding byte it fills 64 KiB exactly.
    largest = {"x": "a" * (64 * 1024 - 9)}
    encrypted_data, iv = encrypt_wechat_data(largest, SESSION_KEY)
    assert len(base64.b64decode(encrypted_data)) == 64 * 1024
    assert decrypt_wechat_data(encrypted_data, iv, SESSION_KEY) == largest

    too_large, iv = encrypt_wechat_data({"x": "a" * 64 * 1024}, SESSION_KEY)
    with pytest.raises(InvalidEncryptedData):
        decrypt_wechat_data(too_large, iv, SESSION_KEY)


@pytest.mark.parametrize(
    "session_key",
    [
        pytest.param("", id="empty"),
        pytest.param("not a key at all", id="not base64"),
        pytest.param(_b64(bytes(24)), id="AES-192 sized"),
        pytest.param(DEMO_SESSION_KEY.rstrip("="), id="padding stripped"),
    ],
)
def test_unusable_session_key_reads_as_stale(session_key: str) -> None:
    with pytest.raises(SessionKeyStale):
        decrypt_wechat_data(DEMO_ENCRYPTED_DATA, DEMO_IV, session_key)


@pytest.mark.parametrize(
    "plaintext",
    [
        pytest.param(b"[1, 2, 3]", id="json array"),
        pytest.param(b'"a string"', id="json string"),
        pytest.param(b"null", id="json null"),
        pytest.param(b"{not json}", id="not json"),
        pytest.param(b'{"a": "\xff"}', id="not utf-8"),
        pytest.param(b'\xef\xbb\xbf{"a": 1}', id="utf-8 bom"),
        pytest.param(b"", id="only padding"),
    ],
)
def test_decrypted_text_that_is_not_a_json_object_reads_as_stale(plaintext: bytes) -> None:
    encrypted_data, iv = _encrypt_blocks(plaintext)

    with pytest.raises(SessionKeyStale):
        decrypt_wechat_data(encrypted_data, iv, SESSION_KEY)


@pytest.mark.parametrize(
    "padded",
    [
        pytest.param(b'{"a":1}' + bytes(9), id="pad byte 0"),
        pytest.param(b'{"a":1}' + bytes([17]) * 9, id="pad byte 17"),
        pytest.param(b'{"a":1}' + bytes([3]) * 8 + bytes([9]), id="pad bytes differ"),
        pytest.param(b'{"a":1}' + bytes([1]) * 8 + bytes([2]), id="pad shorter than claimed"),
    ],
)
def test_inconsistent_padding_reads_as_stale(padded: bytes) -> None:
    assert len(padded) == 16
    encrypted_data, iv = _encrypt_blocks(padded, pad=False)

    with pytest.raises(SessionKeyStale):
        decrypt_wechat_data(encrypted_data, iv, SESSION_KEY)


def test_encrypting_with_an_unusable_session_key_reads_as_stale() -> None:
    with pytest.raises(SessionKeyStale):
        encrypt_wechat_data({"openGId": "g"}, "short")
