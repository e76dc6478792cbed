"""Function words of English and Indonesian, left out of event features.

Short on purpose: rare words are found by document frequency, not by lists; these only keep
sentence glue (and capitalised sentence openers such as "The" or "Dalam") out of the features.
"""

from __future__ import annotations

_ENGLISH = """
a about above after again against all also am an and any are as at be been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own said same
says she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves mr mrs ms however according told tell new one two
three first last year years monday tuesday wednesday thursday friday saturday sunday
"""

_INDONESIAN = """
ada adalah agar akan aku anda antara apa apabila atas atau bagi bahkan bahwa banyak baru belum
beberapa begitu berbagai bersama besar bisa boleh buah bukan dalam dan dapat dari daripada demikian
dengan di dia dilakukan hal hanya harus hari ia ialah ini itu jadi jika juga kali kami kamu karena
kata ke kedua kemudian kepada ketika kita lagi lain lalu lebih maka masih melalui memang menjadi
menurut mereka merupakan namun oleh pada para pula saat saja sama sampai sangat satu saya sebagai
sebelum sebuah sedang sehingga sejak sekarang selain selama seperti serta setelah sudah tahun tak
tanpa telah tentang terhadap tersebut tetapi tidak untuk waktu yaitu yakni yang senin selasa rabu
kamis jumat sabtu minggu pun nya
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(_ENGLISH) | _words(_INDONESIAN)
