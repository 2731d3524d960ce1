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
        svg.chart{width:100%;height:auto;background:#fafafa;border:1px solid #eee}svg .axis{stroke:#999}svg .grid{stroke:#e6e6e6}svg .tick{font-size:10px;fill:#555}svg .marker{stroke:#555;fill:#333}
        .zero{color:#666;font-size:13px}
        svg .line{stroke-width:1.6}figcaption{font-size:12px;color:#666}
        .legend span{margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
        .waterfall{width:100%;table-layout:fixed}.waterfall td.name{width:32%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .waterfall td.dur{width:10%;text-align:right}.waterfall td.bar{position:relative}
        .waterfall td.bar div{height:12px;background:#a9bdf0;border-radius:2px}
        .waterfall tr.critical td.bar div{background:#1f3f99}.waterfall tr.critical td.name{font-weight:600}
        .waterfall tr.error td.bar div{background:#e0412b}.waterfall tr.critical.error td.bar div{background:#a8200f}.err{color:#c0301c}
        .waterfall tr.msg td{border-bottom:none;padding-top:0;color:#c0301c;font-size:12px;white-space:normal}
        .waterfall .ticks td{border-bottom:1px solid #999;color:#666;font-size:10px;height:14px}
        .waterfall .ticks span{position:absolute;transform:translateX(-50%)}.waterfall .ticks span:first-child{transform:none}
        .waterfall .ticks span:last-child{transform:translateX(-100%)}.waterfall .ticks td.bar{position:relative}
        .keys{font-size:12px;color:#555}.keys i{display:inline-block;width:18px;height:10px;margin:0 4px 0 10px;border-radius:2px}
        .attrs th{width:30%;vertical-align:top;font-weight:normal}.attrs code{color:#555}
        footer{margin-top:40px;color:#888;font-size:12px}
        """
}
