from ccportal.batches import chunks


def test_it_cuts_a_list_into_chunks_of_the_size_the_last_shorter():
    assert list(chunks([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]


def test_it_reads_any_iterable_once_in_its_order():
    assert list(chunks(iter(range(4)), 2)) == [[0, 1], [2, 3]]
    assert list(chunks((n for n in "abc"), 5)) == [["a", "b", "c"]]


def test_it_gives_nothing_for_nothing():
    assert list(chunks([], 500)) == []
