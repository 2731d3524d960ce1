extension HTMLReport {
    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#1d1d1f}
        header{border-bottom:1px solid #ddd;margin-bottom:12px}h1{margin:16px 0 4px}nav a{margin-right:12px}
        h2{margin-top:32px;border-bottom:1px solid #eee}h3{margin:18px 0 4px;font-size:15px}small{color:#666;font-weight:normal}
        .figures{display:flex;flex-wrap:wrap;gap:12px}.figures div{background:#f5f5f7;border-radius:6px;padding:8px 14px}
        dt{color:#666;font-size:12px}dd{margin:0;font-size:20px;font-weight:600}
        .cols{display:flex;flex-wrap:wrap;gap:16px}.cols>div,.cols>figure{flex:1 1 340px;margin:0}
        table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #eee;font-variant-numeric:tabular-nums}
        .labels{color:#666;font-weight:normal}.nums{margin:2px 0}.empty,.more{color:#888}.warn{color:#a15c00}
        svg.chart{width:100%;height:auto;background:#fafafa;border:1px solid #eee}svg .axis{stroke:#bbb}svg .tick{font-size:10px;fill:#666}
        svg .line{stroke-width:1.6}figcaption{font-size:12px;color:#666}
        .legend span{margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
        .waterfall{width:100%;table-layout:fixed}.waterfall td.name{width:32%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .waterfall td.dur{width:10%;text-align:right}.waterfall td.bar div{height:12px;background:#4269d0;border-radius:2px}
        .waterfall tr.critical td.bar div{background:#2a4aa0}.waterfall tr.error td.bar div{background:#e0412b}.err{color:#c0301c}
        .attrs th{width:30%;vertical-align:top;font-weight:normal}.attrs code{color:#555}
        footer{margin-top:40px;color:#888;font-size:12px}
        """
}
