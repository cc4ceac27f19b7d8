"""Search of what groups say, in Chinese and English: the terms an item is indexed by, how a query
is read, and where it matches an item's text (the highlights).

An item is indexed by its Latin words (letters and digits, lower-cased) and the character bigrams
of its Chinese (CJK) runs, so that any Chinese word of two or more characters is found wherever it
stands, however a segmenter would split the sentence. A candidate that has every term of a query is
then matched for real (`matching.py`): each keyword must occur in a field whole, neither starting
nor ending inside a word of the text, so that 和服 is not found in 我和服务员.
"""
