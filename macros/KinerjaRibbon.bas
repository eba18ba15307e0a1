Attribute VB_Name = "KinerjaRibbon"
Option Explicit
'
' The ribbon tab "Kinerja" (customUI14.xml) calls these; the same commands are macros for
' Alt+F8 or the Quick Access Toolbar when the ribbon XML has not been added to the add-in.

Private ribbon As IRibbonUI

Public Sub KinerjaPeriksa()
    CheckActiveWorkbook
End Sub

Public Sub KinerjaKirim()
    SendActiveWorkbook
End Sub

Public Sub KinerjaAturFolder()
    ChooseSharedFolder
End Sub

Public Sub KinerjaModeKasubag()
    SetReportMode AskYesNo("Kirim sebagai LAPORAN (langkah 4, Kasubag)?" & vbLf & vbLf & _
        "Ya: laporan langkah 4. Tidak: bahan langkah 3 (Analis Data).", "Mode Kasubag")
    If Not ribbon Is Nothing Then ribbon.Invalidate
    ShowMessage "Mode sekarang: " & StepName(CurrentStep())
End Sub

Public Sub KinerjaBantuan()
    ShowHelp
End Sub

Public Sub OnRibbonLoad(ui As IRibbonUI)
    Set ribbon = ui
End Sub

Public Sub OnRibbonButton(control As IRibbonControl)
    Select Case control.ID
        Case "kinerjaPeriksa"
            CheckActiveWorkbook
        Case "kinerjaKirim"
            SendActiveWorkbook
        Case "kinerjaAturFolder"
            ChooseSharedFolder
        Case "kinerjaBantuan"
            ShowHelp
    End Select
End Sub

Public Sub OnReportModeChanged(control As IRibbonControl, pressed As Boolean)
    SetReportMode pressed
End Sub

Public Sub GetReportModePressed(control As IRibbonControl, ByRef returnedVal As Variant)
    returnedVal = (CurrentStep() = 4)
End Sub
