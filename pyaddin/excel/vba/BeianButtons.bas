Attribute VB_Name = "BeianButtons"
' beian: the workbook's buttons. Each macro runs one Python function in pyaddin.buttons
' through xlwings. Edit pyaddin/excel/vba/BeianButtons.bas and run: beian build-workbook
Option Explicit
