namespace Segmenter.Engine;

/// <summary>
/// One text cell of a CSV file people open in a spreadsheet: RFC 4180 quoting, and a cell that a spreadsheet would
/// read as a formula (first character <c>= + - @</c>, tab or carriage return; OWASP's "CSV injection") gets a leading
/// apostrophe, so a file named <c>=HYPERLINK(…)</c> shows as text instead of running.
/// </summary>
public static class CsvCell
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];
    private static readonly char[] NeedsQuotes = [',', '"', '\r', '\n'];

    public static string Text(string value)
    {
        if (value.Length > 0 && Array.IndexOf(FormulaStarts, value[0]) >= 0) value = "'" + value;
        return value.IndexOfAny(NeedsQuotes) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
