import VigilXML

/// A table's cells as a grid, the way it is displayed: a cell spanning columns or rows
/// (`colspan`, `rowspan`) fills every position it covers. Rows of tables nested inside a
/// cell are not rows of this table, and a body row that is one cell across the whole
/// table (a section heading, a note such as "names withheld: 2") is not a data row.
struct HTMLTable {
    /// Header texts, from the last row of `<thead>`, or else the first row.
    var header: [String]
    /// Data rows, each as wide as the widest row (missing cells are empty).
    var rows: [[String]]

    init(_ table: MarkupNode) {
        var headRows: [MarkupNode] = []
        var bodyRows: [MarkupNode] = []
        for child in table.elements {
            switch child.name {
            case "thead": headRows += child.elements.filter { $0.name == "tr" }
            case "tbody", "tfoot": bodyRows += child.elements.filter { $0.name == "tr" }
            case "tr": bodyRows.append(child)
            default: break
            }
        }
        let grid = Self.grid(headRows + bodyRows)
        let width = grid.first?.count ?? 0
        let firstData = headRows.isEmpty ? 1 : headRows.count
        header = grid.isEmpty ? [] : grid[firstData - 1]
        let all = headRows + bodyRows
        rows = grid.indices.dropFirst(firstData).compactMap { index in
            let cells = all[index].elements.filter { $0.name == "td" || $0.name == "th" }
            let spansAll = width > 1 && cells.count == 1 && (Int(cells[0].attribute("colspan") ?? "") ?? 1) >= width
            return spansAll ? nil : grid[index]
        }
    }

    /// Lays `rows` out as a grid, resolving spans (capped, as browsers cap them).
    static func grid(_ rows: [MarkupNode]) -> [[String]] {
        var grid: [[String?]] = []
        for (rowIndex, row) in rows.enumerated() {
            if grid.count <= rowIndex { grid.append([]) }
            var column = 0
            for cell in row.elements where cell.name == "td" || cell.name == "th" {
                while column < grid[rowIndex].count, grid[rowIndex][column] != nil { column += 1 }
                let colspan = min(max(Int(cell.attribute("colspan") ?? "") ?? 1, 1), 1000)
                var rowspan = min(max(Int(cell.attribute("rowspan") ?? "") ?? 1, 0), 65534)
                if rowspan == 0 { rowspan = rows.count - rowIndex }  // rowspan="0": to the end of the table
                let text = cell.text
                for spanned in rowIndex..<min(rowIndex + rowspan, rows.count) {
                    while grid.count <= spanned { grid.append([]) }
                    let needed = column + colspan
                    if grid[spanned].count < needed {
                        grid[spanned] += Array(repeating: nil, count: needed - grid[spanned].count)
                    }
                    for position in column..<needed where grid[spanned][position] == nil {
                        grid[spanned][position] = text
                    }
                }
                column += colspan
            }
        }
        let width = grid.map(\.count).max() ?? 0
        return grid.map { row in row.map { $0 ?? "" } + Array(repeating: "", count: width - row.count) }
    }
}
