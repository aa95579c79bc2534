"""Naming-format validators of the four apps' NamingConfigController: NotEmpty, then
IllegalCharacters, then the format's own token check, all reported (one rule).
Sources: src/NzbDrone.Core/Organizer/FileNameBuilder.cs and FileNameValidation.cs at the pinned
refs."""
import re

from .rules import required
from .wire import plain_failure


def _net_regex(pattern):
    """A .NET pattern for Python's re: named groups (names repeat in .NET) become plain ones."""
    return re.compile(re.sub(r"\(\?<([A-Za-z]\w*)>", "(?:", pattern), re.I)


_RX = {k: _net_regex(v) for k, v in {
    "episode": r"(?<episode>\{episode(?:\:0+)?})",
    "season": r"(?<season>\{season(?:\:0+)?})",
    "seasonEpisode": r"(?<separator>(?<=})[- ._]+?)?(?<seasonEpisode>s?{season(?:\:0+)?}"
                     r"(?<episodeSeparator>[- ._]?[ex])(?<episode>{episode(?:\:0+)?}))"
                     r"(?<separator>[- ._]+?(?={))?",
    "absolute": r"(?<separator>(?<=})[- ._]+?)?(?<absolute>{absolute(?:\:0+)?})"
                r"(?<separator>[- ._]+?(?={))?",
    "airDate": r"\{Air(\s|\W|_)Date\}",
    "original": r"(\{original[- ._](?:title|filename)\})",
    "seasonFolder": r"(\{season(\:\d+)?\})",
    "seriesTitle": r"(?<token>\{(?:Series)(?<separator>[- ._])(Clean)?Title(The)?(Without)?"
                   r"(Year)?(?::(?<customFormat>[0-9-]+))?\})",
    "movieTitle": r"(?<token>\{(?:Movie)(?<separator>[- ._])(?:Clean)?(?:OriginalTitle|"
                  r"Title(?:The)?)(?::(?<customFormat>[a-z0-9|-]+))?\})",
    "releaseYear": r"\{[-{ ._\[(]*Release[- ._]Year[-} ._)\]]*\}",
    "track": r"(?<track>\{track(?:\:0+)?})",
    "trackTitle": r"(?<token>\{(?:Track)(?<separator>[- ._])(Clean)?Title"
                  r"(?::(?<customFormat>[0-9-]+))?\})",
    "artistName": r"(?<token>\{(?:Artist)(?<separator>[- ._])(Clean)?Name(The)?"
                  r"(?::(?<customFormat>[0-9-]+))?\})",
    "authorName": r"(?<token>\{(?:Author)(?<separator>[- ._])(Clean)?(Sort)?Name(The)?\})",
    "bookTitle": r"(?<token>\{(?:Book)(?<separator>[- ._])(Clean)?Title(The)?(NoSub)?\})",
    "part": r"\{(?<prefix>[^{]*?)(?<token1>PartNumber|PartCount)(?::(?<customFormat1>[a-z0-9]+))?"
            r"(?<separator>.*(?=PartNumber|PartCount))?((?<token2>PartNumber|PartCount)"
            r"(?::(?<customFormat2>[a-z0-9]+))?)?(?<suffix>[^}]*)\}",
}.items()}


def _has(v, *names):
    return all(_RX[n].search(v) for n in names)


def _se(v):
    return _has(v, "seasonEpisode") or _has(v, "season", "episode") or _has(v, "original")


# Per naming property: (validator class, message, test) after NotEmpty and IllegalCharacters.
_STD = ("ValidStandardEpisodeFormatValidator",
        "Must contain season and episode numbers OR Original Title", _se)
NAMING = {
    "sonarr": [
        ("StandardEpisodeFormat", _STD),
        ("DailyEpisodeFormat", ("ValidDailyEpisodeFormatValidator", "Must contain Air Date OR "
                                "Season and Episode OR Original Title",
                                lambda v: _se(v) or _has(v, "airDate"))),
        ("AnimeEpisodeFormat", ("ValidAnimeEpisodeFormatValidator", "Must contain Absolute "
                                "Episode number OR Season and Episode OR Original Title",
                                lambda v: _se(v) or _has(v, "absolute"))),
        ("SeriesFolderFormat", ("RegularExpressionValidator", "Must contain series title",
                                lambda v: _has(v, "seriesTitle"))),
        ("SeasonFolderFormat", ("RegularExpressionValidator", "Must contain season number",
                                lambda v: _has(v, "seasonFolder"))),
        ("SpecialsFolderFormat", None)],
    "radarr": [
        ("StandardMovieFormat", ("ValidMovieFormatValidator", "Must contain either movie title "
                                 "and release year OR Original Title/Filename",
                                 lambda v: _has(v, "original") or _has(v, "movieTitle",
                                                                       "releaseYear"))),
        ("MovieFolderFormat", ("ValidMovieFolderFormatValidator", "Must contain movie title",
                               lambda v: _has(v, "movieTitle") or _has(v, "original")))],
    "lidarr": [
        ("StandardTrackFormat", ("ValidStandardTrackFormatValidator", "Must contain Track "
                                 "Title and Track numbers OR Original Title",
                                 lambda v: _has(v, "trackTitle", "track") or
                                 _has(v, "original"))),
        ("MultiDiscTrackFormat", ("ValidStandardTrackFormatValidator", "Must contain Track "
                                  "Title and Track numbers OR Original Title",
                                  lambda v: _has(v, "trackTitle", "track") or
                                  _has(v, "original"))),
        ("ArtistFolderFormat", ("RegularExpressionValidator", "Must contain Artist name",
                                lambda v: _has(v, "artistName")))],
    "readarr": [
        ("StandardBookFormat", ("ValidStandardTrackFormatValidator", "Must contain Book Title "
                                "AND PartNumber, OR Original Title",
                                lambda v: _has(v, "bookTitle", "part") or _has(v, "original"))),
        ("AuthorFolderFormat", ("RegularExpressionValidator", "Must contain Author name",
                                lambda v: _has(v, "authorName")))],
}


def check_format(prop, v, check):
    """NotEmpty + IllegalCharacters (Path.GetInvalidPathChars on Linux: NUL) + the format's
    own validator: one rule, every failing validator reported."""
    f = required(prop, v)
    if isinstance(v, str) and "\0" in v:
        f.append(plain_failure(prop, "Contains illegal characters: \0",
                               "IllegalCharactersValidator", v))
    if check is not None:
        code, msg, ok = check
        if not (isinstance(v, str) and ok(v)):
            f.append(plain_failure(prop, msg, code, v))
    return f
