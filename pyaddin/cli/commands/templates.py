"""`beian templates`: the placeholders a template may use, and `--check` of a templates folder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_CANNOT_RUN, EXIT_FINDINGS, EXIT_OK, emit_json


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--check", "check", is_flag=True, help="检查文件夹中的每个 .docx 模板，一次列出所有写错的占位符。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出到标准输出。")
def templates(folder: Path | None, check: bool, as_json: bool) -> None:
    """列出文书模板可用的占位符；--check 检查模板文件夹（默认：随程序的 templates/）。

    检查时列出每个模板中的语法错误、未定义的占位符、过滤器和表格循环项字段，全部列完才结束；
    有问题时退出码为 1。

    \b
    示例：beian templates --check 我的模板/
          beian templates            （列出占位符、含义、示例和过滤器）
    """
    from ...adapters.docx_templates import check_templates
    from ...documents.kinds import TEMPLATES_DIR
    from ...documents.placeholders import PLACEHOLDER_COLUMNS, placeholder_rows

    if not check:
        rows = placeholder_rows()
        if as_json:
            emit_json({"tool": "beian", "command": "templates", "placeholders": rows})
        else:
            for r in rows:
                click.echo("  ".join(r[c] for c in PLACEHOLDER_COLUMNS if r[c]))
        sys.exit(EXIT_OK)

    folder = folder or TEMPLATES_DIR
    if not folder.is_dir():
        click.echo(f"模板文件夹“{folder}”不存在，请检查路径。 / Folder {folder} does not exist.", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    paths, issues = check_templates(folder)
    if as_json:
        emit_json({"tool": "beian", "command": "templates", "folder": str(folder),
                   "templates": [p.name for p in paths],
                   "issues": [{"template": i.template, "placeholder": i.placeholder, "message": i.message}
                              for i in issues]})
    else:
        for i in issues:
            click.echo(f"[错误] {i.message.split(' / ')[0]}")
        if not paths:
            click.echo(f"“{folder}”中没有 .docx 模板。")
        else:
            broken = len({i.template for i in issues})
            click.echo(f"检查了 {len(paths)} 个模板：" + (f"{broken} 个有问题，共 {len(issues)} 处。" if issues else "全部正常。"))
    sys.exit(EXIT_FINDINGS if issues or not paths else EXIT_OK)
