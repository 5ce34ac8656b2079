from eth_account import Account

from devchain.accounts import DEFAULT_PREFUND_WEI, DEV_ACCOUNTS, DEV_ADDRESSES, DEV_KEYS


def test_each_dev_key_derives_its_documented_address():
    assert len(DEV_ACCOUNTS) == 3
    for account in DEV_ACCOUNTS:
        assert Account.from_key(account.private_key).address == account.address


def test_dev_keys_and_addresses_line_up():
    assert [Account.from_key(key).address for key in DEV_KEYS] == DEV_ADDRESSES
    assert DEV_ADDRESSES[0] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert DEFAULT_PREFUND_WEI == 10**24
